/// The candidate closest to a misspelt name, if one is close enough to be a likely typo.
public func nearestName(to name: String, in candidates: [String]) -> String? {
    // Nothing is a typo of a name hundreds of characters long; measuring would be slow.
    guard name.utf8.count <= 256 else { return nil }
    let target = Array(name.lowercased())
    var best: (String, Int)?
    for candidate in candidates {
        // Allow about one edit per three characters, and at least one.
        let limit = max(1, min(target.count, candidate.count) / 3)
        // The distance is at least the difference in length.
        guard abs(candidate.count - target.count) <= limit else { continue }
        let d = editDistance(target, Array(candidate.lowercased()))
        if d <= limit, best == nil || d < best!.1 { best = (candidate, d) }
    }
    return best?.0
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// neighbours each cost one.
public func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var row = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        row[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                row[j] = min(row[j], previous2[j - 2] + 1)
            }
        }
        (previous2, previous, row) = (previous, row, previous2)
    }
    return previous[b.count]
}
