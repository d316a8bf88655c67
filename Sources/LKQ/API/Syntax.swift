// The language's syntax (source text, lexer, parser, AST, printer, diagnostics and the registry
// of its words) is the target LKQSyntax, which knows nothing of values, tables or plans. Users of
// `import LKQ` see its public words (Registry, StatementText's answers) without importing it.
#if canImport(LKQSyntax)
@_exported import LKQSyntax
#endif
