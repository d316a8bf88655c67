-- SQL for PostgreSQL of Examples/subkegiatan_di_bawah_separuh.lkq, written by lkq --sql --dialect postgres.

-- 4: anggaran where level = "subkegiatan" and realisasi * 2 < pagu | select kode, uraian, pagu, realisasi, persen
SELECT "kode", "uraian", "pagu", "realisasi", "persen"
FROM "anggaran"
WHERE ("level" = 'subkegiatan') AND (("realisasi" * 2) < "pagu");
