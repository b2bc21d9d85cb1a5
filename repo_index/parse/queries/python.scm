; engram Python query. Capture names: see repo_index/parse/README.md ("Query captures").
; Started from tree-sitter-python's queries/tags.scm, extended for fields, type uses and imports.
; A function directly inside a class becomes a method (parser.cc); docstrings come from lang_python.cc.

; ---- definitions -------------------------------------------------------------------------------
(class_definition name: (identifier) @name) @def.class
(function_definition name: (identifier) @name) @def.function

; Module-level assignments: UPPER_CASE names are constants, others variables (lang_python.cc).
(module (expression_statement (assignment left: (identifier) @name)) @def.variable)
(module (expression_statement (assignment left: (pattern_list (identifier) @name))) @def.variable)
(module (type_alias_statement left: (type (identifier) @name)) @def.type)
; Class attributes.
(class_definition
  body: (block (expression_statement (assignment left: (identifier) @name)) @def.field))

; ---- references --------------------------------------------------------------------------------
(call function: (identifier) @ref.call)
(call function: (attribute attribute: (identifier) @ref.call))
(class_definition superclasses: (argument_list (identifier) @ref.type))
(class_definition superclasses: (argument_list (attribute attribute: (identifier) @ref.type)))
(type (identifier) @ref.type)
(type (attribute attribute: (identifier) @ref.type))
(type (generic_type (identifier) @ref.type))
(type (subscript value: (identifier) @ref.type))
(generic_type (type_parameter (type (identifier) @ref.type)))
(decorator (identifier) @ref.call)
(decorator (attribute attribute: (identifier) @ref.call))
(decorator (call function: (identifier) @ref.call))

; ---- imports -----------------------------------------------------------------------------------
(import_statement name: (dotted_name) @import.module)
(import_statement name: (aliased_import name: (dotted_name) @import.module))
(import_from_statement) @import.module

(comment) @comment
