import LKQ
import Testing

/// Join keys are numbered through a direct table when they lie in a small range and by hashing
/// otherwise; keys at the ends of the 64-bit range, nulls, and several key columns must pair
/// exactly as equality says.
@Suite struct JoinKeysTests {
    func engine() throws -> Engine {
        let l = try Table(name: "l", columns: [
            ("k", .int([Int64.min, Int64.max, 0, nil, 7, Int64.min])),
            ("s", .text(["a", "b", "a", "a", "c", "z"])),
            ("n", .int([1, 2, 3, 4, 5, 6])),
        ], origin: "test")
        let r = try Table(name: "r", columns: [
            ("k", .int([Int64.max, Int64.min, nil, 0, 5])),
            ("s", .text(["b", "a", "a", "a", "c"])),
            ("m", .int([10, 20, 30, 40, 50])),
        ], origin: "test")
        return Engine(tables: [l, r])
    }

    func pairs(_ query: String) throws -> [[Value]] {
        try #require(try engine().run(query).last).rows
    }

    @Test func extremeIntegerKeysPairExactly() throws {
        #expect(try pairs("l | join r on k | select n, m | sort n") == [[.int(1), .int(20)], [.int(2), .int(10)], [.int(3), .int(40)], [.int(6), .int(20)]])
    }

    @Test func severalKeyColumnsPairExactly() throws {
        // Row 6 has k = Int64.min like row 1 but s = "z", which r lacks.
        #expect(try pairs("l | join r on k, s | select n, m | sort n") == [[.int(1), .int(20)], [.int(2), .int(10)], [.int(3), .int(40)]])
        #expect(try pairs("l | left join r on s, k | select n, m | sort n").map { $0[1] } == [.int(20), .int(10), .int(40), .null, .null, .null])
    }
}
