import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// JSON-RPC messages framed as the Language Server Protocol frames them: a `Content-Length`
/// header, a blank line, then that many bytes of JSON.
struct Transport {
    private var buffer: [UInt8] = []
    private let input: Int32
    private let output: Int32

    init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) {
        self.input = input
        self.output = output
    }

    /// The next message, or nil at the end of input.
    mutating func read() -> [String: Any]? {
        while true {
            if let (length, bodyStart) = header() {
                if buffer.count >= bodyStart + length {
                    let body = Data(buffer[bodyStart..<(bodyStart + length)])
                    buffer.removeFirst(bodyStart + length)
                    // A body that is not a JSON object is dropped: the protocol has no way to
                    // answer a message whose id cannot be read.
                    if let message = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] { return message }
                    continue
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// The body length and where the body starts, once the whole header has arrived.
    private func header() -> (Int, Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard buffer.count >= 4 else { return nil }
        for end in 0...(buffer.count - 4) where buffer[end..<(end + 4)].elementsEqual(separator) {
            let text = String(decoding: buffer[0..<end], as: UTF8.self)
            for line in text.split(separator: "\r\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == "content-length",
                   let length = Int(parts[1].trimmingCharacters(in: .whitespaces)) {
                    return (length, end + 4)
                }
            }
            return (0, end + 4)
        }
        return nil
    }

    /// Writes one message.
    func write(_ message: [String: Any]) {
        guard let body = try? JSONSerialization.data(withJSONObject: message, options: [.withoutEscapingSlashes]) else { return }
        var bytes = Array("Content-Length: \(body.count)\r\n\r\n".utf8)
        bytes.append(contentsOf: body)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(output, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            written += n
        }
    }
}
