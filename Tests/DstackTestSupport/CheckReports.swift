/// The end of `check`'s report when the settings are refused: every other check skipped, and the count.
public let checksSkippedForInvalidSettings = """
    [skip] node key: needs valid settings (configuration, above)
    [skip] dstack VMM: needs valid settings (configuration, above)
    [skip] node type: needs valid settings (configuration, above)
    [skip] registry: needs valid settings (configuration, above)
    [skip] listen address: needs valid settings (configuration, above)
    1 of 6 checks failed, 0 warnings, 5 skipped
    """
