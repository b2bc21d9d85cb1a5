; engram C++ query. Capture names: see repo_index/parse/README.md ("Query captures").
; Started from tree-sitter-cpp's queries/tags.scm, extended for definitions, references and includes.
; Names of functions, fields and typedefs come from the declarator chain (c_family.cc), which also
; splits `A::B::f` into the prefix "A::B" and the name "f".

; ---- definitions -------------------------------------------------------------------------------
(function_definition) @def.function

(namespace_definition name: (_) @name) @def.namespace
(class_specifier name: (_) @name body: (field_declaration_list)) @def.class
(struct_specifier name: (_) @name body: (field_declaration_list)) @def.struct
(union_specifier name: (_) @name body: (field_declaration_list)) @def.union
(enum_specifier name: (_) @name body: (enumerator_list)) @def.enum
(enumerator name: (identifier) @name) @def.field
(concept_definition name: (identifier) @name) @def.type

; Class members: data members are fields, member function declarations are methods.
(field_declaration declarator: (_) @declarator) @def.field
(field_declaration_list (declaration declarator: (_) @declarator) @def.field)

(type_definition declarator: (_) @declarator) @def.type
(alias_declaration name: (type_identifier) @name) @def.type

(preproc_def name: (identifier) @name) @def.macro
(preproc_function_def name: (identifier) @name) @def.macro

; Namespace-scope variables (prototypes and extern declarations are dropped in c_family.cc).
(translation_unit (declaration declarator: (_) @declarator) @def.variable)
(declaration_list (declaration declarator: (_) @declarator) @def.variable)
(preproc_if (declaration declarator: (_) @declarator) @def.variable)
(preproc_ifdef (declaration declarator: (_) @declarator) @def.variable)
(preproc_else (declaration declarator: (_) @declarator) @def.variable)

; ---- references --------------------------------------------------------------------------------
(call_expression function: (identifier) @ref.call)
(call_expression function: (qualified_identifier name: (identifier) @ref.call))
(call_expression function: (template_function name: (identifier) @ref.call))
(call_expression function: (qualified_identifier name: (template_function name: (identifier) @ref.call)))
(call_expression function: (field_expression field: (field_identifier) @ref.call))
(call_expression function: (field_expression field: (template_method name: (field_identifier) @ref.call)))
(new_expression type: (type_identifier) @ref.call)
(new_expression type: (qualified_identifier name: (type_identifier) @ref.call))
(type_identifier) @ref.type

; ---- imports -----------------------------------------------------------------------------------
(preproc_include path: (string_literal) @import.local)
(preproc_include path: (system_lib_string) @import.system)
(comment) @comment
; ERROR nodes go to the recovery hook (functions hidden by macros), see c_family.h.
(ERROR) @error
