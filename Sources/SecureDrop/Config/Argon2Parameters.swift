/// Argon2id cost parameters (RFC 9106) for password hashes.
///
/// They are settings rather than constants because the right cost depends on the machine;
/// a stored hash records its own parameters, so changing them re-hashes each password at
/// its owner's next login.
public struct Argon2Parameters: Sendable, Equatable {
    /// Memory per hash, in KiB.
    public var memoryKiB: UInt32
    /// Passes over that memory.
    public var iterations: UInt32
    /// Lanes computed in parallel.
    public var parallelism: UInt32

    /// The defaults are the RFC 9106 "second recommended" option: 64 MiB, 3 passes, 1 lane.
    public init(memoryKiB: UInt32 = 65536, iterations: UInt32 = 3, parallelism: UInt32 = 1) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
    }
}
