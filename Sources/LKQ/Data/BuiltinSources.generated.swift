// PLACEHOLDER written on the `csv` branch so the built-in loader can be tested; the real file is
// generated from Sources/LKQ/Data/LKIP2023 by another engineer and replaces this one on merge.
enum BuiltinSources {
    static let manifest = """
    # Built-in tables (placeholder)
    [capaian]
    file = capaian.csv
    source = LKIP 2023 Dinas PMD Provinsi NTT, Tabel 3.1 (placeholder)
    measure = persen
    columns = sasaran:int indikator:text target:double realisasi:double persen:double
    """

    static let files: [String: String] = [
        "capaian.csv": """
        sasaran,indikator,target,realisasi,persen
        1,"Persentase desa mandiri, berkembang",40,38.5,96.25
        1,Jumlah BUMDes aktif,120,131,109.17
        2,Indeks Desa Membangun,0.65,0.62,95.38
        2,Persentase aparatur desa terlatih,75,,

        """,
    ]
}
