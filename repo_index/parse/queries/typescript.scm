; engram TypeScript query. Capture names: see repo_index/parse/README.md ("Query captures").
; Started from tree-sitter-typescript's queries/tags.scm (plus the JavaScript patterns), extended for
; type aliases, enums, namespaces, fields, type uses and imports.

; ---- definitions -------------------------------------------------------------------------------
(function_declaration name: (identifier) @name) @def.function
(generator_function_declaration name: (identifier) @name) @def.function
(function_signature name: (identifier) @name) @def.function
(class_declaration name: (_) @name) @def.class
(abstract_class_declaration name: (_) @name) @def.class
(interface_declaration name: (_) @name) @def.interface
(type_alias_declaration name: (_) @name) @def.type
(enum_declaration name: (_) @name) @def.enum
(enum_body name: (_) @name @def.field)
(enum_assignment name: (_) @name) @def.field
(internal_module name: (_) @name) @def.namespace
(module name: (_) @name) @def.namespace
(method_definition name: (_) @name) @def.method
(method_signature name: (_) @name) @def.method
(abstract_method_signature name: (_) @name) @def.method
(public_field_definition name: (_) @name) @def.field
(property_signature name: (_) @name) @def.field

; `const f = () => ...`, `var g = function () {}` anywhere.
(lexical_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function) (function_expression) (generator_function)])) @def.function
(variable_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function) (function_expression) (generator_function)])) @def.function
(expression_statement
  (assignment_expression
    left: (member_expression property: (property_identifier) @name)
    right: [(arrow_function) (function_expression)])) @def.function
; Module-level bindings (lang_javascript.cc: `const` → constant, others variable; functions dropped).
(program (lexical_declaration (variable_declarator name: (identifier) @name)) @def.variable)
(program (variable_declaration (variable_declarator name: (identifier) @name)) @def.variable)
(program (export_statement declaration: (lexical_declaration (variable_declarator name: (identifier) @name)) @def.variable))

; ---- references --------------------------------------------------------------------------------
(call_expression function: (identifier) @ref.call)
(call_expression function: (member_expression property: (property_identifier) @ref.call))
(new_expression constructor: (identifier) @ref.call)
(new_expression constructor: (member_expression property: (property_identifier) @ref.call))
(extends_clause value: (identifier) @ref.type)
(extends_clause value: (member_expression property: (property_identifier) @ref.type))
(type_identifier) @ref.type

; ---- imports -----------------------------------------------------------------------------------
(import_statement source: (string (string_fragment) @import.module))
(export_statement source: (string (string_fragment) @import.module))
(import_require_clause source: (string (string_fragment) @import.module))
((call_expression
   function: (identifier) @_fn
   arguments: (arguments . (string (string_fragment) @import.module)))
 (#eq? @_fn "require"))
(call_expression function: (import) arguments: (arguments . (string (string_fragment) @import.module)))

(comment) @comment
