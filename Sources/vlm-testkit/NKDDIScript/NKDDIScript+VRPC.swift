// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import Synchronization
import Transports

/// VRPC inside real VM processes (the transports' test driver): one VM serves,
/// another calls, and the test reads both consoles.
///
/// - `vrpcserve NAME`: opens every server end called NAME with a direct server
///   that uppercases the request; prints how many ends it opened.
/// - `vrpccall NAME TEXT`: opens the first client end called NAME (once), waits
///   up to 5 s for the server, calls with TEXT; prints the answer or `error N`.
/// - `vrpcbench NAME N`: N calls of 8 bytes; prints the time per call.
extension NKDDIScript {
    func vrpc(_ head: String, _ a: [String]) -> String? {
        switch (head, a.count) {
        case ("vrpcserve", 1): return serve(a[0])
        case ("vrpccall", 2...): return call(a[0], a.dropFirst().joined(separator: " "))
        case ("vrpcbench", 2): return Self.number(a[1]).map { bench(a[0], Int($0)) }
        default: return nil
        }
    }

    private var module: VRPC {
        transports.withLock { module in
            if let module { return module }
            let made = VRPC(nkddi: nk)
            module = made
            return made
        }
    }

    private func serve(_ name: String) -> String {
        var opened = 0
        var next = module.vrpc_server_lookup(name)
        while let end = next {
            let upper: vrpc_call_t = { _, size in
                let data = end.vrpc_data()
                data.storeBytes(data.loadBytes(count: Int(size)).map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 })
                return size
            }
            if end.vrpc_server_open(upper, nil, true) == 0 { opened += 1 }
            next = module.vrpc_server_lookup(name, end)
        }
        return "\(opened)"
    }

    /// The first client end called `name`, open and with its server up.
    private func client(_ name: String) -> Vrpc? {
        let end = clients.withLock { clients in
            if let end = clients[name] { return end }
            let end = module.vrpc_client_lookup(name)
            clients[name] = end
            return end
        }
        guard let end else { return nil }
        _ = end.vrpc_client_open({ _ in }, nil)
        return waitFor { end.isConnected } == "ok" ? end : nil
    }

    private func call(_ name: String, _ text: String) -> String {
        guard let end = client(name) else { return "error no server" }
        var size = vrpc_size_t(text.utf8.count)
        end.vrpc_data().storeBytes(Array(text.utf8))
        var status = end.vrpc_call(&size)
        if status == VrpcReturn.EAGAIN, end.vrpc_client_open({ _ in }, nil) == 0, waitFor({ end.isConnected }) == "ok" {
            end.vrpc_data().storeBytes(Array(text.utf8))
            size = vrpc_size_t(text.utf8.count)
            status = end.vrpc_call(&size)  // the server came back: reopen once
        }
        guard status == 0 else { return "error \(status)" }
        return String(decoding: end.vrpc_data().loadBytes(count: Int(size)), as: UTF8.self)
    }

    private func bench(_ name: String, _ count: Int) -> String {
        guard count > 0, let end = client(name) else { return "error no server" }
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<count {
            var size: vrpc_size_t = 8
            guard end.vrpc_call(&size) == 0 else { return "error at a call" }
        }
        let (s, atto) = (clock.now - start).components
        let ns = (Double(s) * 1e9 + Double(atto) / 1e9) / Double(count)
        return "\(count) calls, \(Int(ns)) ns each"
    }
}
