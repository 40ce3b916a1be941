internal import CHDF5

extension Group {
    /// The direct children of this group in name order.
    ///
    /// External and soft links are reported, never followed.
    ///
    /// The corresponding C functions are `H5Literate`, `H5Lget_val` and `H5Lunpack_elink_val`;
    /// a hard link's object address comes from the same `H5L_info_t`.
    /// - Throws: ``HDF5Error`` if the group cannot be iterated or a link's name is empty or holds
    ///   a `/` (a damaged group).
    public func links() throws -> [Link] {
        let entries = LinkEntries()
        let status = withExtendedLifetime(entries) {
            H5Literate(
                id, H5_INDEX_NAME, H5_ITER_INC, nil,
                { _, name, info, context in
                    guard let name, let info, let context else { return -1 }
                    Unmanaged<LinkEntries>.fromOpaque(context).takeUnretainedValue().items
                        .append((String(cString: name), info.pointee.type, info.pointee.u.val_size,
                                 UInt64(info.pointee.u.address)))
                    return 0
                }, Unmanaged.passUnretained(entries).toOpaque())
        }
        try check(status, "list links", location)
        var links: [Link] = []
        for (name, type, valueSize, address) in entries.items {
            // A name is never empty nor contains "/" in a sound file; such a name could not be
            // opened (or would open something else), so it is an error in the file, not a path.
            if name.isEmpty || name.contains("/") {
                throw location.error("list links", "a link named '\(name)': the group is damaged")
            }
            links.append(Link(name: name, kind: try linkKind(name, type, valueSize: valueSize),
                              objectAddress: type == H5L_TYPE_HARD ? address : nil))
        }
        return links
    }

    /// Whether a link exists at `relativePath`.
    ///
    /// Each component is checked in turn, so a missing or non-group intermediate gives `false`
    /// rather than an error.
    ///
    /// The corresponding C function is `H5Lexists`.
    /// - Throws: ``HDF5Error`` if a component cannot be checked, for example when an
    ///   intermediate soft link dangles.
    public func linkExists(_ relativePath: String) throws -> Bool {
        let isAbsolute = relativePath.hasPrefix("/")
        let components = relativePath.split(separator: "/")
        var prefix = ""
        for (index, component) in components.enumerated() {
            prefix = prefix.isEmpty ? (isAbsolute ? "/" : "") + component : prefix + "/" + component
            let exists = try check(
                H5Lexists(id, prefix, defaultPropertyList), "check link", location(of: prefix))
            guard exists > 0 else { return false }
            if index < components.count - 1, try objectKind(at: prefix) != .group { return false }
        }
        return true
    }

    /// The kind of object the hard or soft link at `relativePath` resolves to.
    ///
    /// External and user-defined links are not followed and give ``ObjectKind/other``.
    ///
    /// The corresponding C functions are `H5Lget_info` and `H5Oget_info_by_name2`.
    /// - Throws: ``HDF5Error`` if there is no link at that path or a soft link dangles.
    public func objectKind(at relativePath: String) throws -> ObjectKind {
        let location = location(of: relativePath)
        var link = H5L_info_t()
        try check(
            H5Lget_info(id, relativePath, &link, defaultPropertyList), "get link info", location)
        guard link.type == H5L_TYPE_HARD || link.type == H5L_TYPE_SOFT else { return .other }
        var object = H5O_info_t()
        try check(
            H5Oget_info_by_name2(
                id, relativePath, &object, UInt32(H5O_INFO_BASIC), defaultPropertyList),
            "get object info", location)
        switch object.type {
        case H5O_TYPE_GROUP: return .group
        case H5O_TYPE_DATASET: return .dataset
        case H5O_TYPE_NAMED_DATATYPE: return .namedDatatype
        default: return .other
        }
    }

    /// Creates a hard link at `relativePath` to the object at `target` (relative to this group,
    /// or absolute), creating missing intermediate groups.
    ///
    /// The corresponding C function is `H5Lcreate_hard`.
    /// - Throws: ``HDF5Error`` if `target` does not exist or the link already exists.
    public func createHardLink(_ relativePath: String, to target: String) throws {
        let location = location(of: relativePath)
        let links = try PropertyList.creatingIntermediateGroups(location)
        try check(
            H5Lcreate_hard(id, target, id, relativePath, links.id, defaultPropertyList),
            "create hard link to \(target)", location)
    }

    /// Moves the link at `relativePath` to `destination` (both relative to this group, or absolute).
    ///
    /// The corresponding C function is `H5Lmove`.
    /// - Throws: ``HDF5Error`` if there is no such link or `destination` exists.
    public func moveLink(_ relativePath: String, to destination: String) throws {
        try check(
            H5Lmove(id, relativePath, id, destination, defaultPropertyList, defaultPropertyList),
            "move link to \(destination)", location(of: relativePath))
    }

    /// Removes the link at `relativePath` (the object goes when no other link holds it).
    ///
    /// The corresponding C function is `H5Ldelete`.
    /// - Throws: ``HDF5Error`` if there is no such link.
    public func removeLink(_ relativePath: String) throws {
        try check(H5Ldelete(id, relativePath, defaultPropertyList), "remove link", location(of: relativePath))
    }

    /// Creates a soft link at `relativePath` that points to the path `target`.
    ///
    /// Keras rejects symbolic links; this exists for tests and tools.
    ///
    /// The corresponding C function is `H5Lcreate_soft`.
    /// - Throws: ``HDF5Error`` if the link already exists.
    public func createSoftLink(_ relativePath: String, to target: String) throws {
        let location = location(of: relativePath)
        let links = try PropertyList.creatingIntermediateGroups(location)
        try check(
            H5Lcreate_soft(target, id, relativePath, links.id, defaultPropertyList),
            "create soft link to \(target)", location)
    }

    /// Creates an external link at `relativePath` to the object `path` in the file `file`.
    ///
    /// Keras rejects external links; this exists for tests and tools.
    ///
    /// The corresponding C function is `H5Lcreate_external`.
    /// - Throws: ``HDF5Error`` if the link already exists.
    public func createExternalLink(_ relativePath: String, file: String, path: String) throws {
        let location = location(of: relativePath)
        let links = try PropertyList.creatingIntermediateGroups(location)
        try check(
            H5Lcreate_external(file, path, id, relativePath, links.id, defaultPropertyList),
            "create external link to \(file):\(path)", location)
    }

    /// Reads the target of a soft or external link found by ``links()``.
    private func linkKind(_ name: String, _ type: H5L_type_t, valueSize: Int) throws -> LinkKind {
        guard type == H5L_TYPE_SOFT || type == H5L_TYPE_EXTERNAL else {
            return type == H5L_TYPE_HARD ? .hard : .other
        }
        let location = location(of: name)
        // Two spare zero bytes: a crafted value without terminators still ends inside the buffer
        // when the file name and path are measured.
        var value = [CChar](repeating: 0, count: valueSize + 2)
        try check(
            H5Lget_val(id, name, &value, valueSize, defaultPropertyList), "read link value",
            location)
        guard type == H5L_TYPE_EXTERNAL else {
            return .soft(target: String(nulTerminated: value))
        }
        return try value.withUnsafeBytes { bytes in
            var file: UnsafePointer<CChar>?
            var path: UnsafePointer<CChar>?
            try check(
                H5Lunpack_elink_val(bytes.baseAddress, valueSize, nil, &file, &path),
                "decode external link", location)
            return .external(
                file: file.map { String(cString: $0) } ?? "",
                path: path.map { String(cString: $0) } ?? "")
        }
    }
}

/// Collects `H5Literate` results; the C callback cannot capture context.
private final class LinkEntries {
    var items: [(name: String, type: H5L_type_t, valueSize: Int, address: UInt64)] = []
}
