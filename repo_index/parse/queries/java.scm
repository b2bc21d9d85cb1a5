; engram Java query. Capture names: see repo_index/parse/README.md ("Query captures").
; Started from tree-sitter-java's queries/tags.scm, extended for enums, records, annotations,
; constructors, fields, enum constants, the package, type uses and imports.

; ---- definitions -------------------------------------------------------------------------------
(package_declaration [(identifier) (scoped_identifier)] @name) @def.namespace
(class_declaration name: (identifier) @name) @def.class
(record_declaration name: (identifier) @name) @def.class
(interface_declaration name: (identifier) @name) @def.interface
(annotation_type_declaration name: (identifier) @name) @def.interface
(enum_declaration name: (identifier) @name) @def.enum
(enum_constant name: (identifier) @name) @def.field
(method_declaration name: (identifier) @name) @def.method
(constructor_declaration name: (identifier) @name) @def.method
(compact_constructor_declaration name: (identifier) @name) @def.method
(annotation_type_element_declaration name: (identifier) @name) @def.method
(field_declaration declarator: (variable_declarator name: (identifier) @name)) @def.field
(constant_declaration declarator: (variable_declarator name: (identifier) @name)) @def.constant

; ---- references --------------------------------------------------------------------------------
(method_invocation name: (identifier) @ref.call)
(object_creation_expression type: (type_identifier) @ref.call)
(object_creation_expression type: (generic_type (type_identifier) @ref.call))
(object_creation_expression type: (scoped_type_identifier (type_identifier) @ref.call .))
(type_identifier) @ref.type

; ---- imports -----------------------------------------------------------------------------------
(import_declaration) @import.module

(line_comment) @comment
(block_comment) @comment
