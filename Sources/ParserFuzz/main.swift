import DstackHTTP
import FuzzDriver

/// libFuzzer entry point: the HTTP request parser on arbitrary bytes, whole and as a pipeline, with the
/// default bounds and with tiny ones (so the limit paths are reached too). It must never crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var tiny = ServerLimits()
    tiny.maxHeaderBytes = 64
    tiny.maxHeaderCount = 3
    tiny.maxBodyBytes = 16
    for limits in [ServerLimits(), tiny] {
        var start = 0
        var rounds = 0
        while start < bytes.count && rounds < 64 {
            rounds += 1
            switch RequestParser.parse(bytes, from: start, limits: limits) {
            case .incomplete, .failure:
                start = bytes.count
            case .request(let request, let end):
                precondition(end > start && end <= bytes.count, "request end out of range")
                // Touch every lazily computed part, as the simulator's handler does.
                _ = request.methodString
                _ = request.pathString
                _ = request.queryString
                _ = request.headers
                _ = request.body
                _ = request.pathEquals("/health")
                start = end
            }
        }
    }
    // Delivered in pieces through one ParseProgress (as a connection does), the first request must parse
    // exactly as it does whole.
    if let first = bytes.first {
        let step = Int(first % 16) + 1
        for limits in [ServerLimits(), tiny] {
            let whole = summary(RequestParser.parse(bytes, limits: limits))
            var progress = ParseProgress()
            var delivered = 0
            var pieces = summary(.incomplete)
            while delivered < bytes.count {
                delivered = min(bytes.count, delivered + step)
                let result = RequestParser.parse(Array(bytes[0..<delivered]), from: 0, limits: limits, progress: &progress)
                pieces = summary(result)
                if case .incomplete = result { continue }
                break
            }
            precondition(pieces == whole, "incremental parse \(pieces) differs from whole \(whole)")
        }
    }
    return 0
}

/// What must agree between incremental and whole parsing: the outcome, the request's end, the error's status.
/// (A request found early in pieces ends where the whole parse's does, since a request is a prefix.)
func summary(_ result: ParseResult) -> String {
    switch result {
    case .incomplete: "incomplete"
    case .failure(let error): "failure \(error.status)"
    case .request(let request, let end): "request \(end) \(request.pathString) \(request.body.count)"
    }
}

@_cdecl("ParserFuzz_main")
public func parserFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzParser(data, size) }
}
