; engram JavaScript query. Capture names: see repo_index/parse/README.md ("Query captures").
; Started from tree-sitter-javascript's queries/tags.scm, extended for fields, constants and imports.

; ---- definitions -------------------------------------------------------------------------------
(function_declaration name: (identifier) @name) @def.function
(generator_function_declaration name: (identifier) @name) @def.function
(class_declaration name: (_) @name) @def.class
(method_definition name: (_) @name) @def.method
(field_definition property: (_) @name) @def.field

; `const f = () => ...`, `var g = function () {}` anywhere.
(lexical_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function) (function_expression) (generator_function)])) @def.function
(variable_declaration
  (variable_declarator
    name: (identifier) @name
    value: [(arrow_function) (function_expression) (generator_function)])) @def.function
; `exports.f = function () {}`, `Foo.prototype.bar = () => {}`.
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
(class_heritage (identifier) @ref.type)
(class_heritage (member_expression property: (property_identifier) @ref.type))

; ---- imports -----------------------------------------------------------------------------------
(import_statement source: (string (string_fragment) @import.module))
(export_statement source: (string (string_fragment) @import.module))
((call_expression
   function: (identifier) @_fn
   arguments: (arguments . (string (string_fragment) @import.module)))
 (#eq? @_fn "require"))
(call_expression function: (import) arguments: (arguments . (string (string_fragment) @import.module)))

(comment) @comment
