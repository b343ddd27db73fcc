fn main() {
    let seed: u64 = std::env::args().nth(1).unwrap().parse().unwrap();
    let params = seamless_gen::GenParams {
        programs: 12 + (seed % 3) as usize * 4,
        modules: 4,
        cores: 2,
        messages: 10,
        modes: 2 + (seed % 2) as usize,
        seed,
        unavailability_percent: 60,
        ..seamless_gen::GenParams::default()
    };
    let (generated, _w) = seamless_gen::feasible(&params);
    let dir = std::path::Path::new("/tmp/scratch/s");
    std::fs::create_dir_all(dir).unwrap();
    for f in generated.sources() {
        std::fs::write(
            dir.join(std::path::Path::new(&f.name).file_name().unwrap()),
            &f.text,
        )
        .unwrap();
    }
}
