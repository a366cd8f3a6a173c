// protoc-gen-bigrpc: protoc runs it with a CodeGeneratorRequest on stdin and
// reads a CodeGeneratorResponse from stdout. All the work is in BigRPCGenerator.
import BigRPCGenerator
import Foundation

let input = FileHandle.standardInput.readDataToEndOfFile()
let output = Generator.run(requestBytes: [UInt8](input)) { path in
    try String(contentsOfFile: path, encoding: .utf8)
}
FileHandle.standardOutput.write(Data(output))
