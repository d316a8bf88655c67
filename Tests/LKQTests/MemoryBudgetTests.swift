import Testing
@testable import LKQ

/// `QueryBudget.maxMemory` stops a statement whose process holds more memory than allowed,
/// with a `limit` error at the step that was running.
@Suite struct MemoryBudgetTests {
    @Test func residentMemoryIsRead() {
        #expect(QueryBudget.residentMemory() > 1 << 20)
        #expect(QueryBudget.physicalMemory > QueryBudget.residentMemory())
    }

    @Test func aStatementOverTheLimitStopsAtItsStep() throws {
        var session = Engine().makeSession()
        // Below what the process already holds: the first check inside the join must stop it.
        session.budget.maxMemory = QueryBudget.residentMemory() / 2
        let text = "capaian | join capaian on sasaran | count"
        do {
            _ = try session.run(text)
            Issue.record("the join ran past its memory budget")
        } catch {
            #expect(error.kind == .limit)
            #expect(error.message.contains("MB of memory"))
            #expect(error.line == 1 && error.column == 11)
        }
        session.budget.maxMemory = nil
        #expect(try session.run(text).first?[0, 0] == .int(45))
    }
}
