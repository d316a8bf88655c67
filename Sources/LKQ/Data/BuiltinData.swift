enum BuiltinData {
    static let tables: [Table] = []
}
