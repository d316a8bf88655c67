struct Interpreter {
    let session: Session
    let source: SourceFile
    let cancellation: Cancellation?
    func run(_ statement: Statement, into session: inout Session) throws(Diagnostic) -> Session.Outcome {
        switch statement {}
    }
}
