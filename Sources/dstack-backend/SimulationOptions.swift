import ArgumentParser
import DstackBackend
import DstackSimulator

/// The GPU set the simulated VMM reports.
struct SimulationOptions: ParsableArguments {
    @Option(help: "GPU model the simulated VMM reports: H200, H100 or B200.")
    var model: String = "H200"

    @Option(help: "How many GPUs the simulated VMM reports.")
    var gpus: Int = 8

    @Option(help: "How many of them are busy (is_free false).")
    var busy: Int = 2

    @Option(help: "Require this bearer token on the simulated VMM (401 without it).")
    var token: String?

    @Option(name: .customLong("registry-generation"), help: "Registry protocol to simulate: v0.1 (/permissions only) or v0.2 (also GET /workers/<pubkey>).")
    var registryGeneration: String = SimulatedRegistry.Generation.v02.rawValue

    @Flag(name: .customLong("manual-approval"), help: "New workers stay pending until POST /sim/approve/<pubkey> on the simulated registry.")
    var manualApproval = false

    func registryOptions() throws -> SimulatedRegistry.Options {
        guard let generation = SimulatedRegistry.Generation(rawValue: registryGeneration) else {
            throw ValidationError("--registry-generation must be v0.1 or v0.2, not \(registryGeneration)")
        }
        return SimulatedRegistry.Options(generation: generation, manualApproval: manualApproval)
    }

    func vmmOptions() throws -> SimulatedVMM.Options {
        guard let model = SimulatedGPUSet.Model.named(model) else {
            throw ValidationError("--model must be H200, H100 or B200, not \(model)")
        }
        guard gpus >= 0, gpus <= 64 else { throw ValidationError("--gpus must be from 0 to 64") }
        guard busy >= 0, busy <= gpus else { throw ValidationError("--busy must be from 0 to --gpus") }
        return SimulatedVMM.Options(
            gpus: SimulatedGPUSet(model: model, count: gpus, busy: busy, allowAttachAll: true), token: token)
    }
}
