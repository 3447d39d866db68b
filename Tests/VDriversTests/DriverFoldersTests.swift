// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing
import VDrivers

/// One folder per driver (docs/adding-a-vdriver.md): every folder of
/// `Sources/VDrivers` has a test folder of the same name with tests in it; every
/// registered driver lives in a folder of its own, has a platform under
/// `Configs/` named after its `compatible`, and a line in the README's code map.
@Suite struct DriverFoldersTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func children(_ path: String) -> [String] {
        let url = root.appendingPathComponent(path)
        return ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
    }

    static func text(_ path: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)) ?? ""
    }

    static let compatibles: [String] = VDriverRegistry.drivers.map { driver in driver.compatible }
    static let folders = children("Sources/VDrivers").filter { !$0.hasSuffix(".swift") }

    @Test func theSourceTreeIsWhereTheTestExpectsIt() {
        #expect(Self.folders.contains("DriverKit") && Self.folders.contains("PipeKit"))
    }

    @Test(arguments: folders) func everyFolderHasItsTests(_ folder: String) {
        let tests = Self.children("Tests/VDriversTests/\(folder)").filter { $0.hasSuffix(".swift") }
        #expect(!tests.isEmpty, "Tests/VDriversTests/\(folder)/ is missing")
        let withTests = tests.filter { Self.text("Tests/VDriversTests/\(folder)/\($0)").contains("@Test") }
        #expect(!withTests.isEmpty, "Tests/VDriversTests/\(folder)/ has no @Test")
    }

    @Test(arguments: compatibles) func everyDriverHasAFolderAConfigAndACodeMapLine(
        _ compatible: String
    ) throws {
        let type = String(describing: try #require(VDriverRegistry.driver(for: compatible)))
        let homes = Self.folders.filter { folder in
            Self.children("Sources/VDrivers/\(folder)").contains {
                Self.text("Sources/VDrivers/\(folder)/\($0)").contains("enum \(type)")
                    || Self.text("Sources/VDrivers/\(folder)/\($0)").contains("struct \(type)")
                    || Self.text("Sources/VDrivers/\(folder)/\($0)").contains("class \(type)")
            }
        }
        #expect(homes.count == 1, "\(type) should be declared in one folder of Sources/VDrivers")
        let config = Self.text("Configs/\(compatible).dts")
        #expect(config.contains("compatible = \"\(compatible)\""), "Configs/\(compatible).dts should use the driver")
        if let home = homes.first {
            #expect(Self.text("README.md").contains("`\(home)/`"), "README's code map should name \(home)/")
        }
    }
}
