; engram C query. Capture names: see repo_index/parse/README.md ("Query captures").
; Started from tree-sitter-c's queries/tags.scm, extended for definitions, references and includes.
; Function names are found by walking the declarator chain in lang_c.cc (pointer, parenthesized and
; attributed declarators), so one pattern covers `int f()`, `struct x *f()`, `int (*f(void))(int)`.

; ---- definitions -------------------------------------------------------------------------------
(function_definition) @def.function

(struct_specifier name: (type_identifier) @name body: (field_declaration_list)) @def.struct
(union_specifier name: (type_identifier) @name body: (field_declaration_list)) @def.union
(enum_specifier name: (type_identifier) @name body: (enumerator_list)) @def.enum
(enumerator name: (identifier) @name) @def.field
(field_declaration declarator: (_) @declarator) @def.field

(type_definition declarator: (_) @declarator) @def.type

(preproc_def name: (identifier) @name) @def.macro
(preproc_function_def name: (identifier) @name) @def.macro

; File-scope variables (a declaration whose declarator is a function is a prototype: dropped).
(translation_unit (declaration declarator: (_) @declarator) @def.variable)
(preproc_if (declaration declarator: (_) @declarator) @def.variable)
(preproc_ifdef (declaration declarator: (_) @declarator) @def.variable)
(preproc_else (declaration declarator: (_) @declarator) @def.variable)
(preproc_elif (declaration declarator: (_) @declarator) @def.variable)

; ---- references --------------------------------------------------------------------------------
(call_expression function: (identifier) @ref.call)
(call_expression function: (field_expression field: (field_identifier) @ref.call))
(call_expression function: (parenthesized_expression (identifier) @ref.call))
(type_identifier) @ref.type

; ---- imports -----------------------------------------------------------------------------------
(preproc_include path: (string_literal) @import.local)
(preproc_include path: (system_lib_string) @import.system)
(comment) @comment
; ERROR nodes go to the recovery hook (functions hidden by macros), see c_family.h.
(ERROR) @error
