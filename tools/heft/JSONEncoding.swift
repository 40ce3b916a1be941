import ArgumentParser
import Checkpoint
import Inspection
import NeuralNet

// The JSON spelling of the library's results, owned by the CLI (schema 1, see docs/cli.md): the
// library types carry no coding keys; these conformances decide every key heft prints.

extension DigestAlgorithm: ExpressibleByArgument {}

extension DType: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension Tolerance: Encodable {
    enum CodingKeys: String, CodingKey { case absolute = "atol", relative = "rtol", ulps = "ulp", nanStrict = "nan_strict" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(absolute, forKey: .absolute)
        try container.encode(relative, forKey: .relative)
        try container.encodeIfPresent(ulps, forKey: .ulps)
        try container.encode(nanStrict, forKey: .nanStrict)
    }
}

extension TensorStatistics: Encodable {
    enum CodingKeys: String, CodingKey {
        case count, minimum = "min", maximum = "max", mean, std, nanCount = "nan", infinityCount = "inf", zeroCount = "zeros"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encodeIfPresent(minimum, forKey: .minimum)
        try container.encodeIfPresent(maximum, forKey: .maximum)
        try container.encodeIfPresent(mean, forKey: .mean)
        try container.encodeIfPresent(std, forKey: .std)
        try container.encode(nanCount, forKey: .nanCount)
        try container.encode(infinityCount, forKey: .infinityCount)
        try container.encode(zeroCount, forKey: .zeroCount)
    }
}

extension TensorComparison: Encodable {
    enum CodingKeys: String, CodingKey {
        case name, section, status, pathA = "path_a", pathB = "path_b", fileA = "file_a", fileB = "file_b", shapeA = "shape_a", shapeB = "shape_b"
        case dtypeA = "dtype_a", dtypeB = "dtype_b", mismatches, total, maxAbsDiff = "max_abs_diff"
        case maxAbsIndex = "max_abs_index", maxRelDiff = "max_rel_diff", meanAbsDiff = "mean_abs_diff"
        case nanMismatches = "nan_mismatches", top
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(section.rawValue, forKey: .section)
        try container.encode(status.rawValue, forKey: .status)
        try container.encodeIfPresent(pathA, forKey: .pathA)
        try container.encodeIfPresent(pathB, forKey: .pathB)
        try container.encodeIfPresent(fileA, forKey: .fileA)
        try container.encodeIfPresent(fileB, forKey: .fileB)
        try container.encodeIfPresent(shapeA, forKey: .shapeA)
        try container.encodeIfPresent(shapeB, forKey: .shapeB)
        try container.encodeIfPresent(dtypeA, forKey: .dtypeA)
        try container.encodeIfPresent(dtypeB, forKey: .dtypeB)
        try container.encodeIfPresent(mismatches, forKey: .mismatches)
        try container.encodeIfPresent(total, forKey: .total)
        try container.encodeIfPresent(maxAbsDiff, forKey: .maxAbsDiff)
        try container.encodeIfPresent(maxAbsIndex, forKey: .maxAbsIndex)
        try container.encodeIfPresent(maxRelDiff, forKey: .maxRelDiff)
        try container.encodeIfPresent(meanAbsDiff, forKey: .meanAbsDiff)
        try container.encodeIfPresent(nanMismatches, forKey: .nanMismatches)
        try container.encodeIfPresent(top, forKey: .top)
    }
}

extension TensorComparison.ElementDifference: Encodable {
    enum CodingKeys: String, CodingKey { case index, a, b, absDiff = "abs_diff" }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(a, forKey: .a)
        try container.encode(b, forKey: .b)
        try container.encode(absDiff, forKey: .absDiff)
    }
}

extension HDF5Listing.Entry: Encodable {
    enum CodingKeys: String, CodingKey { case path, kind, shape, dtype, storageSize = "storage_size", target }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(kind.rawValue, forKey: .kind)
        try container.encodeIfPresent(shape, forKey: .shape)
        try container.encodeIfPresent(dtype, forKey: .dtype)
        try container.encodeIfPresent(storageSize, forKey: .storageSize)
        try container.encodeIfPresent(target, forKey: .target)
    }
}

extension Verification.Report: Encodable {
    enum CodingKeys: String, CodingKey { case ok, tensors, problems, integrity, shared, ties, identicalGroups = "identical_groups", like, sha256 }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ok, forKey: .ok)
        try container.encode(tensors, forKey: .tensors)
        try container.encode(problems, forKey: .problems)
        try container.encode(integrity, forKey: .integrity)
        try container.encode(shared, forKey: .shared)
        try container.encode(ties, forKey: .ties)
        try container.encodeIfPresent(identicalGroups, forKey: .identicalGroups)
        try container.encodeIfPresent(like, forKey: .like)
        try container.encodeIfPresent(contentDigests, forKey: .sha256)
    }
}

extension Verification.Problem: Encodable {
    enum CodingKeys: String, CodingKey { case path, problem, file }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(problem, forKey: .problem)
        try container.encodeIfPresent(file, forKey: .file)
    }
}

extension Verification.IntegrityCheck: Encodable {
    enum CodingKeys: String, CodingKey { case status, checked, manifest }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status.rawValue, forKey: .status)
        try container.encode(checked, forKey: .checked)
        try container.encode(manifest, forKey: .manifest)
    }
}

extension Verification.TieCheck: Encodable {
    enum CodingKeys: String, CodingKey { case members, ok, pairs, error }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(members, forKey: .members)
        try container.encode(ok, forKey: .ok)
        try container.encode(pairs, forKey: .pairs)
        try container.encodeIfPresent(error, forKey: .error)
    }
}

extension Verification.TiePair: Encodable {
    enum CodingKeys: String, CodingKey {
        case a, b, status, firstDifferentIndex = "first_different_index", maxAbsDiff = "max_abs_diff"
        case differentElements = "different_elements"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(a, forKey: .a)
        try container.encode(b, forKey: .b)
        try container.encode(status.rawValue, forKey: .status)
        try container.encodeIfPresent(firstDifferentIndex, forKey: .firstDifferentIndex)
        try container.encodeIfPresent(maxAbsDiff, forKey: .maxAbsDiff)
        try container.encodeIfPresent(differentElements, forKey: .differentElements)
    }
}

extension Verification.LikeCheck: Encodable {
    enum CodingKeys: String, CodingKey {
        case reference, rule, ok, divergence, byNameOK = "by_name_ok", byNameDivergence = "by_name_divergence"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(reference, forKey: .reference)
        try container.encode(rule.rawValue, forKey: .rule)
        try container.encode(ok, forKey: .ok)
        try container.encodeIfPresent(divergence, forKey: .divergence)
        try container.encodeIfPresent(byNameOK, forKey: .byNameOK)
        try container.encodeIfPresent(byNameDivergence, forKey: .byNameDivergence)
    }
}
