extension KeyedDecodingContainer {
    /// Member `key` when it is a `T`; nil when it is absent, null or of another kind.
    ///
    /// For answers read leniently (the registry's), where a field of the wrong kind counts as no field.
    public func lenient<T: Decodable>(_ type: T.Type, forKey key: Key) -> T? {
        (try? decodeIfPresent(type, forKey: key)) ?? nil
    }
}
