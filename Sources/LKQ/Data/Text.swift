import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

// The rule for text equality (NFC where text enters, then bytes) and String.nfc are in
// LKQSyntax/Source/Text.swift, as string literals are normalised by the lexer.
extension Column {
    /// This column with its text dictionary in NFC: entries that become equal are merged and
    /// the codes remapped. Other columns, and dictionaries already in NFC, are returned as
    /// they are.
    func nfcText() -> Column {
        guard case .text(let codes, let dictionary) = storage else { return self }
        var normalized: [String]? = nil
        for (i, s) in dictionary.enumerated() {
            let n = s.nfc
            if normalized == nil {
                if Array(n.utf8) == Array(s.utf8) { continue }
                normalized = Array(dictionary[..<i])
            }
            normalized!.append(n)
        }
        guard let normalized else { return self }
        // Merge by bytes: String's own equality already treats the two spellings as equal.
        var index: [[UInt8]: Int32] = [:]
        var merged: [String] = []
        var remap = [Int32](repeating: 0, count: normalized.count)
        for (i, s) in normalized.enumerated() {
            let key = Array(s.utf8)
            if let code = index[key] { remap[i] = code; continue }
            index[key] = Int32(merged.count)
            remap[i] = Int32(merged.count)
            merged.append(s)
        }
        let out = Buffer<Int32>.make(count: codes.count) { out in
            for i in 0..<codes.count {
                let c = Int(codes[i])
                out[i] = c < remap.count ? remap[c] : 0
            }
        }
        return Column(storage: .text(codes: out, dictionary: merged), nulls: nulls)
    }
}
