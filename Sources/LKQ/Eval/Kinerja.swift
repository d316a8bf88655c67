#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// The rules of performance measurement (SAKIP) that LKQ applies: how a capaian is computed
/// from a target and its realisasi, and how a capaian is rated.
public enum Kinerja {
    /// Whether an indicator is better high or low.
    public enum Polaritas: String, Sendable, CaseIterable {
        /// Higher is better (most indicators): capaian = realisasi / target x 100.
        case positif
        /// Lower is better (poverty rate, stunting): see ``RumusNegatif``.
        case negatif
    }

    /// How the capaian of a lower-is-better indicator is computed.
    public enum RumusNegatif: String, Sendable, CaseIterable {
        /// (2 x target - realisasi) / target x 100: PermenPANRB 8/2021 (Lampiran, "kondisi
        /// khusus"), which keeps the scale of positive indicators; the default.
        case selisih
        /// target / realisasi x 100: the ratio many offices use.
        case rasio
    }

    /// The capaian, in percent, or `nil` when it is undefined: a target of 0 or less, or a
    /// ratio over a realisasi of 0.
    public static func capaian(target: Double, realisasi: Double, polaritas: Polaritas = .positif,
                               rumus: RumusNegatif = .selisih) -> Double? {
        guard target > 0, target.isFinite, realisasi.isFinite else { return nil }
        let value: Double
        switch (polaritas, rumus) {
        // Multiplying before dividing keeps whole percentages exact (22 x 100 / 20 = 110).
        case (.positif, _): value = realisasi * 100 / target
        case (.negatif, .selisih): value = (2 * target - realisasi) * 100 / target
        case (.negatif, .rasio):
            guard realisasi > 0 else { return nil }
            value = target * 100 / realisasi
        }
        return value.isFinite ? value : nil
    }

    /// The rating of a capaian on the ordinal scale of Permendagri 86/2017 (Lampiran, evaluasi
    /// hasil RKPD), from the best down; a capaian above 100 is still Sangat Tinggi.
    public static let kategoriSkala: [(atLeast: Double, nama: String)] = [
        (91, "Sangat Tinggi"), (76, "Tinggi"), (66, "Sedang"), (51, "Rendah"), (-.infinity, "Sangat Rendah"),
    ]

    /// The kategori name for a capaian: at least 91 Sangat Tinggi, at least 76 Tinggi, at least
    /// 66 Sedang, at least 51 Rendah, else Sangat Rendah. `nil` for NaN.
    public static func kategori(_ capaian: Double) -> String? {
        guard !capaian.isNaN else { return nil }
        return kategoriSkala.first { capaian >= $0.atLeast }?.nama
    }
}
