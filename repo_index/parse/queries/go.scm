; engram Go query. Capture names: see repo_index/parse/README.md ("Query captures").
; Started from tree-sitter-go's queries/tags.scm, extended for struct/interface/alias kinds,
; fields, interface methods, constants, variables and imports. Method receivers are read in lang_go.cc.

; ---- definitions -------------------------------------------------------------------------------
(package_clause (package_identifier) @name) @def.namespace
(function_declaration name: (identifier) @name) @def.function
(method_declaration name: (field_identifier) @name) @def.method
(type_spec name: (type_identifier) @name) @def.type
(type_alias name: (type_identifier) @name) @def.type
(field_declaration name: (field_identifier) @name) @def.field
(method_elem name: (field_identifier) @name) @def.method
(source_file (const_declaration (const_spec name: (identifier) @name) @def.constant))
(source_file (var_declaration (var_spec name: (identifier) @name) @def.variable))
(source_file (var_declaration (var_spec_list (var_spec name: (identifier) @name) @def.variable)))

; ---- references --------------------------------------------------------------------------------
(call_expression function: (identifier) @ref.call)
(call_expression function: (selector_expression field: (field_identifier) @ref.call))
(call_expression function: (parenthesized_expression (identifier) @ref.call))
(type_identifier) @ref.type

; ---- imports -----------------------------------------------------------------------------------
(import_spec path: (_) @import.module)

(comment) @comment
