fn main() {
    std::process::exit(seamless_cli::main());
}
