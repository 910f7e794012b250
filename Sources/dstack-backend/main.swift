import DstackBackend

print("dstack-backend \(BuildInfo.version)")
