import Foundation

/// One rule for text equality: text is put in Unicode Normalization Form C where it enters LKQ
/// (CSV text columns, host ``Table`` values, string literals), and compared byte for byte
/// after that. `é` typed as one code point and as `e` plus a combining accent are then the same
/// bytes everywhere: in `=`, `~`, sort, group by, join, distinct and the dictionaries.
extension String {
    /// This text in NFC; ASCII (most of it) is returned as it is without a look.
    public var nfc: String {
        if utf8.allSatisfy({ $0 < 0x80 }) { return self }
        return precomposedStringWithCanonicalMapping
    }
}

