-- LKQ's tables capaian, kegiatan and anggaran as views over the WP Eval SAKIP tables of
-- schema.sql: the built-in tables' column names, in their order, with their types (bigint for
-- LKQ's int and rupiah, double precision for double, text). In a schema of their own, lkq, so
-- that the e-SAKIP tables keep their names and `lkq --db` lists only these (it reads the
-- first schema of the search path). See README.md.
--
-- The e-SAKIP tables are found through the search path below: if yours are not in public,
-- change it. The year shown is 2023 (`tahun` in each view); capaian_2018 .. capaian_2022 and
-- target_2022, realisasi_2022 are the five years before it, as in the built-in table.

CREATE SCHEMA IF NOT EXISTS lkq;
SET search_path = lkq, public;

-- e-SAKIP keeps numbers of performance as text (target_akhir, realisasi_akhir, capaian);
-- an empty or non-numeric entry is null rather than an error that would stop every query.
CREATE OR REPLACE FUNCTION lkq.angka(t text) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN btrim(t) ~ '^-?[0-9]+(\.[0-9]+)?$' THEN btrim(t)::double precision END;

-- rumus_capaian_kinerja: 1 = Tren Positif, 2 = Nilai Akhir, 3 = Tren Negatif. Only Tren
-- Negatif is one where a lower realisasi is better; Nilai Akhir compares the final value
-- with the target, the higher the better.
CREATE OR REPLACE FUNCTION lkq.polaritas(rumus smallint) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE rumus WHEN 3 THEN 'negatif' ELSE 'positif' END;

-- Every active indicator of a rencana aksi, with the capaian of its year-end (bulan 12)
-- entry; where there is none, realisasi / target by its rumus, as hitung_capaian computes it.
CREATE OR REPLACE VIEW lkq.indikator_tahunan AS
SELECT i.id, i.id_renaksi, i.id_skpd, i.tahun_anggaran AS tahun, i.indikator, i.satuan,
       lkq.angka(i.target_akhir) AS target, lkq.angka(i.realisasi_akhir) AS realisasi,
       COALESCE(lkq.angka(b.capaian),
                CASE WHEN lkq.angka(i.target_akhir) <> 0 THEN round((CASE i.rumus_capaian_kinerja
                    WHEN 3 THEN (2 * lkq.angka(i.target_akhir) - lkq.angka(i.realisasi_akhir))
                    ELSE lkq.angka(i.realisasi_akhir) END * 100 / lkq.angka(i.target_akhir))::numeric, 2)::double precision
                END) AS capaian,
       lkq.polaritas(i.rumus_capaian_kinerja) AS polaritas
FROM esakip_data_rencana_aksi_indikator_opd i
LEFT JOIN esakip_data_bulanan_rencana_aksi_opd b
       ON b.id_indikator_renaksi_opd = i.id AND b.bulan = 12 AND b.active = 1
WHERE i.active = 1;

-- capaian: the indicators of the sasaran strategis (Tabel 3.1). Level 1 of the rencana aksi
-- (kegiatan utama) is the sasaran, level 2 (rencana hasil kerja) a numbered line of it. A
-- line with several indicators numbers them 1a, 1b, ... and is their indikator_induk. The
-- earlier years are the same OPD's indicators of the same text in those years.
CREATE OR REPLACE VIEW lkq.capaian AS
WITH tahun AS (SELECT 2023 AS tahun),
baris AS (
    SELECT s.no_urut AS sasaran, s.label AS sasaran_nama, l.no_urut AS nomor, l.label AS induk, i.*,
           row_number() OVER (PARTITION BY l.id ORDER BY i.id) AS ke,
           count(*) OVER (PARTITION BY l.id) AS banyak
    FROM indikator_tahunan i
    JOIN esakip_data_rencana_aksi_opd l ON l.id = i.id_renaksi AND l.level = 2 AND l.active = 1
    JOIN esakip_data_rencana_aksi_opd s ON s.id = l.parent AND s.level = 1 AND s.active = 1
    WHERE i.tahun = (SELECT tahun FROM tahun)
),
lalu AS (
    SELECT i.id_skpd, i.indikator, i.tahun, i.target, i.realisasi, i.capaian
    FROM indikator_tahunan i
    JOIN esakip_data_rencana_aksi_opd l ON l.id = i.id_renaksi AND l.level = 2 AND l.active = 1
)
SELECT b.sasaran::bigint AS sasaran,
       b.sasaran_nama,
       b.nomor::text || CASE WHEN b.banyak > 1 THEN chr(96 + b.ke::int) ELSE '' END AS no,
       b.indikator,
       b.satuan,
       b.target,
       b.realisasi,
       b.capaian,
       (SELECT capaian FROM lalu p WHERE p.id_skpd = b.id_skpd AND p.indikator = b.indikator AND p.tahun = b.tahun - 5) AS capaian_2018,
       (SELECT capaian FROM lalu p WHERE p.id_skpd = b.id_skpd AND p.indikator = b.indikator AND p.tahun = b.tahun - 4) AS capaian_2019,
       (SELECT capaian FROM lalu p WHERE p.id_skpd = b.id_skpd AND p.indikator = b.indikator AND p.tahun = b.tahun - 3) AS capaian_2020,
       (SELECT capaian FROM lalu p WHERE p.id_skpd = b.id_skpd AND p.indikator = b.indikator AND p.tahun = b.tahun - 2) AS capaian_2021,
       (SELECT capaian FROM lalu p WHERE p.id_skpd = b.id_skpd AND p.indikator = b.indikator AND p.tahun = b.tahun - 1) AS capaian_2022,
       (SELECT target FROM lalu p WHERE p.id_skpd = b.id_skpd AND p.indikator = b.indikator AND p.tahun = b.tahun - 1) AS target_2022,
       (SELECT realisasi FROM lalu p WHERE p.id_skpd = b.id_skpd AND p.indikator = b.indikator AND p.tahun = b.tahun - 1) AS realisasi_2022,
       CASE WHEN b.banyak > 1 THEN b.induk END AS indikator_induk,
       b.polaritas
FROM baris b
ORDER BY b.sasaran, b.nomor, b.id;

-- kegiatan: the indicators of the kegiatan (Tabel 3.8, 3.10). Level 3 of the rencana aksi is
-- a kegiatan, cascaded to the sub kegiatan that pays for it (kode); its parent at level 2 is
-- the programme's line (program = its number, program_nama = the programme it cascades to).
-- no is the kegiatan's number, a dot, and the indicator's place under it.
CREATE OR REPLACE VIEW lkq.kegiatan AS
SELECT p.no_urut::bigint AS program,
       k.label AS kegiatan,
       k.no_urut::text || '.' || row_number() OVER (PARTITION BY k.id ORDER BY i.id)::text AS no,
       i.indikator,
       i.satuan,
       i.target::bigint AS target,
       i.realisasi::bigint AS realisasi,
       i.capaian,
       p.label_cascading_program AS program_nama,
       k.kode_cascading_sub_kegiatan AS kode,
       i.polaritas
FROM indikator_tahunan i
JOIN esakip_data_rencana_aksi_opd k ON k.id = i.id_renaksi AND k.level = 3 AND k.active = 1
JOIN esakip_data_rencana_aksi_opd p ON p.id = k.parent AND p.level = 2 AND p.active = 1
WHERE i.tahun = 2023
ORDER BY p.no_urut, k.no_urut, i.id;

-- anggaran: Tabel 3.13. A sub kegiatan's pagu is the sum of its rincian belanja (volume x
-- harga satuan), its realisasi theirs; kegiatan, program, bidang urusan and the OPD are the
-- sums of the lines under them. kode_sbl's third, fourth and fifth parts are the ids of the
-- program, kegiatan and sub kegiatan, as the plugin reads them. persen is realisasi / pagu
-- in percent to two decimals, 0 where the pagu is 0.
CREATE OR REPLACE VIEW lkq.anggaran AS
WITH sub AS (
    SELECT pk.kode_bidang_urusan, pk.nama_bidang_urusan, pk.kode_program, pk.nama_program,
           pk.kode_giat, pk.nama_giat, pk.kode_sub_giat, pk.nama_sub_giat, u.kode_skpd, u.nama_skpd,
           sum(r.volume * r.harga_satuan) AS pagu, sum(r.realisasi) AS realisasi
    FROM esakip_tagging_rincian_belanja r
    JOIN esakip_prog_keg pk ON pk.id_sub_giat = split_part(r.kode_sbl, '.', 5)::integer
                           AND pk.tahun_anggaran = r.tahun_anggaran AND pk.active = 1
    JOIN esakip_data_unit u ON u.id_skpd = r.id_skpd AND u.tahun_anggaran = r.tahun_anggaran AND u.active = 1
    WHERE r.active = 1 AND r.tahun_anggaran = 2023
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
),
baris AS (
    SELECT 0 AS urut, kode_bidang_urusan AS kode, nama_bidang_urusan AS uraian, 'urusan' AS level, NULL AS induk,
           sum(pagu) AS pagu, sum(realisasi) AS realisasi FROM sub GROUP BY 2, 3
    UNION ALL
    SELECT 1, kode_skpd, nama_skpd, 'organisasi', kode_bidang_urusan, sum(pagu), sum(realisasi) FROM sub GROUP BY 2, 3, 5
    UNION ALL
    SELECT 2, kode_program, nama_program, 'program', kode_skpd, sum(pagu), sum(realisasi) FROM sub GROUP BY 2, 3, 5
    UNION ALL
    SELECT 2, kode_giat, nama_giat, 'kegiatan', kode_program, sum(pagu), sum(realisasi) FROM sub GROUP BY 2, 3, 5
    UNION ALL
    SELECT 2, kode_sub_giat, nama_sub_giat, 'subkegiatan', kode_giat, pagu, realisasi FROM sub
)
SELECT kode::text AS kode,
       uraian,
       level,
       induk::text AS induk,
       pagu::bigint AS pagu,
       realisasi::bigint AS realisasi,
       CASE WHEN pagu = 0 THEN 0 ELSE round((realisasi * 100 / pagu)::numeric, 2)::double precision END AS persen
FROM baris
ORDER BY urut, kode COLLATE "C";
