; engram Rust query. Capture names: see repo_index/parse/README.md ("Query captures").
; Started from tree-sitter-rust's queries/tags.scm, extended with kinds of our own (struct, enum,
; union, trait, type alias, constants, fields, variants), impl scopes, type uses and imports.

; ---- definitions -------------------------------------------------------------------------------
(function_item name: (identifier) @name) @def.function
(function_signature_item name: (identifier) @name) @def.method
(struct_item name: (type_identifier) @name) @def.struct
(enum_item name: (type_identifier) @name) @def.enum
(union_item name: (type_identifier) @name) @def.union
(trait_item name: (type_identifier) @name) @def.trait
(type_item name: (type_identifier) @name) @def.type
(associated_type name: (type_identifier) @name) @def.type
(const_item name: (identifier) @name) @def.constant
(static_item name: (identifier) @name) @def.variable
(macro_definition name: (identifier) @name) @def.macro
(mod_item name: (identifier) @name body: (declaration_list)) @def.namespace
(field_declaration name: (field_identifier) @name) @def.field
(enum_variant name: (identifier) @name) @def.field

; `impl Foo { ... }` and `impl Trait for Foo { ... }` qualify their items with Foo.
(impl_item type: (type_identifier) @scope.name) @scope
(impl_item type: (generic_type type: (type_identifier) @scope.name)) @scope
(impl_item type: (scoped_type_identifier name: (type_identifier) @scope.name)) @scope
(impl_item type: (generic_type type: (scoped_type_identifier name: (type_identifier) @scope.name))) @scope

; ---- references --------------------------------------------------------------------------------
(call_expression function: (identifier) @ref.call)
(call_expression function: (field_expression field: (field_identifier) @ref.call))
(call_expression function: (scoped_identifier name: (identifier) @ref.call))
(call_expression function: (generic_function function: (identifier) @ref.call))
(call_expression function: (generic_function function: (scoped_identifier name: (identifier) @ref.call)))
(call_expression function: (generic_function function: (field_expression field: (field_identifier) @ref.call)))
(macro_invocation macro: (identifier) @ref.call)
(macro_invocation macro: (scoped_identifier name: (identifier) @ref.call))
(type_identifier) @ref.type

; ---- imports -----------------------------------------------------------------------------------
(use_declaration argument: (_) @import.module)
(mod_item !body) @import.module
(extern_crate_declaration name: (identifier) @import.module)

(line_comment) @comment
(block_comment) @comment
