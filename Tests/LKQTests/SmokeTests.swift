import Testing
@testable import LKQ
@Test func sourceLocation() {
    let f = SourceFile(name: "x", text: "ab\ncd")
    #expect(f.location(of: 4) == (2, 2))
}
