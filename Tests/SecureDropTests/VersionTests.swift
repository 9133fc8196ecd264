import Testing
@testable import SecureDrop
@Test func version() { #expect(!SecureDrop.version.isEmpty) }
