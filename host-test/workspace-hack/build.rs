// A build script, so that cargo applies the [build-dependencies] section to build scripts too.
fn main() {}
