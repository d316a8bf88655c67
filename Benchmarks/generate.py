#!/usr/bin/env python3
"""Deterministic synthetic national-scale data for the LKQ benchmarks.

Writes, OUTSIDE the repository (default /tmp/lkq-bench):
  capaian.csv       1M rows  performance achievement (LKIP-like)
  anggaran.csv      1M rows  budget realisation (Permendagri sub-activity level)
  anggaran_10m.csv 10M rows  same shape, ~1.3 GB
  anggaran_2m.csv, anggaran_5m.csv  2M and 5M rows, same shape (the scaling table)

Python 3 standard library only. The output is byte-for-byte identical on every
run and independent of the number of worker processes: rows are produced in
fixed-size chunks, each chunk with its own seed derived from (table, chunk
index), and chunks are written in order.
"""

import argparse
import hashlib
import math
import os
import random
import sys
import time
from multiprocessing import Pool

SEED = 20240601
CHUNK = 100_000  # rows per chunk (fixed: part of the determinism contract)

# ---------------------------------------------------------------- vocabularies
# Built once from a fixed seed, so they are identical in every process.

_BASES = [
    "Kupang", "Aceh Besar", "Deli Serdang", "Padang Pariaman", "Kampar",
    "Muaro Jambi", "Banyuasin", "Lampung Selatan", "Bogor", "Bandung",
    "Garut", "Cirebon", "Banyumas", "Kebumen", "Klaten", "Sleman", "Bantul",
    "Malang", "Jember", "Banyuwangi", "Sidoarjo", "Lebak", "Tabanan",
    "Lombok Timur", "Sumba Barat", "Sikka", "Ketapang", "Kotawaringin Timur",
    "Banjar", "Kutai Kartanegara", "Minahasa", "Gorontalo", "Donggala",
    "Gowa", "Bone", "Kolaka", "Majene", "Halmahera Utara", "Maluku Tengah",
    "Jayapura", "Merauke", "Manokwari", "Sorong", "Natuna", "Belitung",
    "Bengkulu Utara", "Tanah Datar", "Simalungun", "Asahan", "Pidie",
]


def _pemda_names(n=550):
    names = []
    for i in range(n):
        base = _BASES[i % len(_BASES)]
        prefix = "Kota" if i % 7 == 3 else "Kab."
        names.append(f"{prefix} {base} {i + 1:03d}")
    return names


OPD = [
    "Dinas Pendidikan", "Dinas Kesehatan", "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Perumahan dan Kawasan Permukiman", "Satuan Polisi Pamong Praja",
    "Badan Penanggulangan Bencana Daerah", "Dinas Sosial",
    "Dinas Tenaga Kerja", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
    "Dinas Ketahanan Pangan", "Dinas Lingkungan Hidup",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Pemberdayaan Masyarakat dan Desa",
    "Dinas Pengendalian Penduduk dan Keluarga Berencana", "Dinas Perhubungan",
    "Dinas Komunikasi dan Informatika", "Dinas Koperasi dan Usaha Mikro",
    "Dinas Penanaman Modal dan PTSP", "Dinas Kepemudaan dan Olahraga",
    "Dinas Perpustakaan dan Kearsipan", "Dinas Perikanan", "Dinas Pariwisata",
    "Dinas Pertanian", "Dinas Perdagangan", "Dinas Perindustrian",
    "Sekretariat Daerah", "Sekretariat DPRD", "Inspektorat Daerah",
    "Badan Perencanaan Pembangunan Daerah", "Badan Keuangan dan Aset Daerah",
    "Badan Pendapatan Daerah", "Badan Kepegawaian dan Pengembangan SDM",
    "Badan Kesatuan Bangsa dan Politik", "Rumah Sakit Umum Daerah",
    "Kecamatan Kota", "Dinas Kebudayaan", "Dinas Pemadam Kebakaran",
    "Dinas Peternakan dan Kesehatan Hewan", "Dinas Kehutanan",
    "Badan Penelitian dan Pengembangan Daerah",
]

_IND_HEADS = [
    ("Persentase", "%"), ("Jumlah", "unit"), ("Rasio", "rasio"),
    ("Indeks", "indeks"), ("Tingkat", "%"), ("Cakupan", "%"),
]
_IND_OBJECTS = [
    "desa mandiri", "desa berkembang", "desa tertinggal", "BUMDes aktif",
    "penduduk miskin", "rumah tidak layak huni", "jalan kabupaten mantap",
    "jembatan dalam kondisi baik", "sekolah terakreditasi A",
    "anak usia sekolah bersekolah", "guru bersertifikat", "balita stunting",
    "persalinan di fasilitas kesehatan", "imunisasi dasar lengkap",
    "puskesmas terakreditasi", "rumah tangga akses air minum layak",
    "rumah tangga akses sanitasi layak", "sampah terkelola",
    "kualitas air sungai", "ruang terbuka hijau", "UMKM naik kelas",
    "koperasi sehat", "investasi PMDN", "tenaga kerja terserap",
    "pengangguran terbuka", "kunjungan wisatawan", "produksi padi",
    "produktivitas jagung", "ketersediaan pangan", "nelayan terlindungi",
    "dokumen kependudukan terbit", "pelayanan perizinan tepat waktu",
    "temuan BPK ditindaklanjuti", "opini WTP", "nilai SAKIP",
    "indeks reformasi birokrasi", "pegawai ASN kompeten",
    "layanan berbasis elektronik", "kejadian bencana tertangani",
    "gangguan ketertiban ditangani", "perempuan korban kekerasan terlayani",
    "PMKS tertangani", "penyandang disabilitas terlayani",
    "peserta KB aktif", "pemuda berprestasi", "koleksi perpustakaan",
    "arsip tertata", "cagar budaya dilestarikan", "ternak sehat",
    "hutan rakyat terehabilitasi",
]


def _indikator():
    out = []
    for h, (head, unit) in enumerate(_IND_HEADS):
        for o, obj in enumerate(_IND_OBJECTS):
            if (h * 7 + o) % 5 == 4:  # drop some combinations for variety
                continue
            out.append((f"{head} {obj}", unit))
    return out


_SUB_VERBS = [
    "Fasilitasi", "Penyediaan", "Pengelolaan", "Pembinaan", "Koordinasi",
    "Penyusunan", "Pelaksanaan", "Pengembangan", "Peningkatan",
    "Pendampingan", "Pembangunan", "Rehabilitasi", "Pemeliharaan",
    "Monitoring, Evaluasi dan Pelaporan",
]
_SUB_OBJECTS = [
    "Pengembangan Usaha Ekonomi Masyarakat", "Administrasi Pemerintahan Desa",
    "Kerja Sama Antar Desa", "Badan Usaha Milik Desa", "Lembaga Kemasyarakatan Desa",
    "Sarana dan Prasarana Kantor", "Jalan, Jembatan dan Drainase",
    "Sistem Penyediaan Air Minum", "Sanitasi Lingkungan",
    "Rumah Tidak Layak Huni", "Satuan Pendidikan Sekolah Dasar",
    "Satuan Pendidikan Sekolah Menengah Pertama", "Pendidikan Anak Usia Dini",
    "Pelayanan Kesehatan Ibu dan Anak", "Pencegahan dan Penurunan Stunting",
    "Pelayanan Kesehatan Penderita Hipertensi", "Gizi Masyarakat",
    "Ketahanan Pangan Masyarakat", "Irigasi Tersier", "Pupuk dan Benih",
    "Usaha Mikro, Kecil dan Menengah", "Koperasi Simpan Pinjam",
    "Pasar Rakyat", "Promosi Pariwisata", "Destinasi Wisata Perdesaan",
    "Data Kependudukan", "Dokumen Perencanaan Perangkat Daerah",
    "Laporan Keuangan, Akuntansi dan Aset", "Gaji dan Tunjangan ASN",
    "Jasa Komunikasi, Sumber Daya Air dan Listrik", "Pengadaan Kendaraan Dinas",
    "Penanggulangan Bencana", "Ketenteraman dan Ketertiban Umum",
    "Perlindungan Perempuan dan Anak", "Rehabilitasi Sosial",
    "Kepemudaan dan Olahraga", "Perpustakaan Desa",
    "Kearsipan Daerah", "Ruang Terbuka Hijau", "Pengelolaan Sampah",
    "Sistem Informasi Pemerintahan Daerah", "Pengawasan Internal",
    "Perizinan Berusaha", "Tenaga Kerja Lokal", "Kawasan Perdesaan",
]


def _uraian():
    """A few hundred sub-activity names with a Permendagri-style kode and level."""
    rnd = random.Random(SEED + 1)
    out, seen = [], set()
    for o, obj in enumerate(_SUB_OBJECTS):
        urusan = 1 + (o % 3)
        bidang = 1 + (o * 5) % 26
        program = 1 + (o % 9)
        verbs = rnd.sample(_SUB_VERBS, 7)
        for k, verb in enumerate(verbs):
            name = f"{verb} {obj}"
            if name in seen:
                continue
            seen.add(name)
            kegiatan = 1 + (k % 2)
            sub = 1 + k
            r = rnd.random()
            if r < 0.85:
                level = 5
                kode = f"{urusan}.{bidang:02d}.{program:02d}.{kegiatan}.{k + 1:02d}.{sub:02d}"
            elif r < 0.95:
                level = 4
                kode = f"{urusan}.{bidang:02d}.{program:02d}.{kegiatan}.{k + 1:02d}"
            else:
                level = 3
                kode = f"{urusan}.{bidang:02d}.{program:02d}"
            out.append((kode, _csv_field(name), level))
    return out


def _csv_field(s):
    if any(c in s for c in ',"\n\r'):
        return '"' + s.replace('"', '""') + '"'
    return s


PEMDA = _pemda_names()
INDIKATOR = _indikator()
URAIAN = _uraian()
TAHUN = ["2019", "2020", "2021", "2022", "2023"]

# Per-pemda and per-opd absorption tendencies, so grouped absorption rates are
# spread out (no near-ties at the "10 lowest" boundary).
# A handful of pemda absorb far less, at well-spaced levels, and the opd
# factors are evenly spaced, so "the 10 lowest" has no ties at its boundary.
_r = random.Random(SEED + 2)
PEMDA_ABS = [_r.uniform(0.55, 0.97) for _ in PEMDA]
for _k, _i in enumerate(_r.sample(range(len(PEMDA)), 15)):
    PEMDA_ABS[_i] = 0.25 + 0.02 * _k
OPD_ABS = [0.80 + 0.006 * _k for _k in range(len(OPD))]
_r.shuffle(OPD_ABS)
del _r

CAPAIAN_HEADER = "tahun,pemda,opd,sasaran,no,indikator,satuan,target,realisasi,capaian\n"
ANGGARAN_HEADER = "tahun,pemda,opd,kode,uraian,level,pagu,realisasi,persen\n"


# ---------------------------------------------------------------- chunk makers

def capaian_chunk(args):
    table, idx, nrows = args
    rnd = random.Random(f"{SEED}/{table}/{idx}")
    ri = rnd.randrange
    rr = rnd.random
    npemda, nopd, nind = len(PEMDA), len(OPD), len(INDIKATOR)
    lines = []
    ap = lines.append
    for _ in range(nrows):
        ind, unit = INDIKATOR[ri(nind)]
        if unit == "%" or unit == "indeks":
            target = round(50 + rr() * 50, 2)
        elif unit == "rasio":
            target = round(0.5 + rr() * 2, 2)
        else:
            target = float(1 + ri(500))
        u = rr()
        if u < 0.02:
            f = 1.3 + rr() * 1.5          # outliers well above target
        elif u < 0.30:
            f = 0.2 + rr() * 0.55         # under-achieving
        else:
            f = 0.75 + rr() * 0.55
        realisasi = round(target * f, 2)
        if rr() < 0.01:
            cap = ""
        else:
            cap = f"{realisasi / target * 100:.2f}"
        ap(f"{TAHUN[ri(5)]},{PEMDA[ri(npemda)]},{OPD[ri(nopd)]},{1 + ri(5)},{1 + ri(30)},"
           f"{ind},{unit},{target:.2f},{realisasi:.2f},{cap}\n")
    return "".join(lines)


def anggaran_chunk(args):
    table, idx, nrows = args
    rnd = random.Random(f"{SEED}/{table}/{idx}")
    ri = rnd.randrange
    rr = rnd.random
    lv = rnd.lognormvariate
    npemda, nopd, nur = len(PEMDA), len(OPD), len(URAIAN)
    lines = []
    ap = lines.append
    for _ in range(nrows):
        p = ri(npemda)
        o = ri(nopd)
        kode, uraian, level = URAIAN[ri(nur)]
        pagu = int(lv(19.0, 1.6))  # median ~1.8e8, long tail
        if pagu < 1_000_000:
            pagu = 1_000_000 + ri(9_000_000)
        elif pagu > 10_000_000_000:
            pagu = 10_000_000_000 - ri(1_000_000_000)
        pagu -= pagu % 1000
        u = rr()
        if u < 0.02:
            real = 0
        else:
            base = PEMDA_ABS[p] * OPD_ABS[o]
            f = base + (rr() - 0.5) * 0.3
            if f > 1.0 and u > 0.05:
                f = 1.0 - rr() * 0.02
            if f < 0:
                f = 0.0
            real = int(pagu * f)
        ap(f"{TAHUN[ri(5)]},{PEMDA[p]},{OPD[o]},{kode},{uraian},{level},"
           f"{pagu},{real},{real / pagu * 100:.2f}\n")
    return "".join(lines)


TABLES = {
    # file name: (chunk maker, header, default rows)
    "capaian.csv": (capaian_chunk, CAPAIAN_HEADER, 1_000_000),
    "anggaran.csv": (anggaran_chunk, ANGGARAN_HEADER, 1_000_000),
    "anggaran_2m.csv": (anggaran_chunk, ANGGARAN_HEADER, 2_000_000),
    "anggaran_5m.csv": (anggaran_chunk, ANGGARAN_HEADER, 5_000_000),
    "anggaran_10m.csv": (anggaran_chunk, ANGGARAN_HEADER, 10_000_000),
}


def write_table(pool, out_dir, fname, rows):
    maker, header, _ = TABLES[fname]
    table = fname[:-4]
    # anggaran_2m, _5m and _10m start with exactly the rows of anggaran (same
    # seeds) and then continue, so each file is a prefix of every larger one.
    seed_table = "anggaran" if table.startswith("anggaran_") else table
    jobs = []
    left, idx = rows, 0
    while left > 0:
        n = min(CHUNK, left)
        jobs.append((seed_table, idx, n))
        left -= n
        idx += 1
    path = os.path.join(out_dir, fname)
    tmp = path + ".tmp"
    t0 = time.time()
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(header)
        for text in pool.imap(maker, jobs, chunksize=1):
            f.write(text)
    os.replace(tmp, path)
    size = os.path.getsize(path)
    print(f"{path}: {rows} rows, {size / 1e6:.1f} MB, {time.time() - t0:.1f} s", flush=True)


def _source_hash():
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/lkq-bench", help="output directory (default /tmp/lkq-bench)")
    ap.add_argument("--only", default="", help="comma-separated file names to write (default: all)")
    ap.add_argument("--rows", type=int, default=0, help="override row count (for tests)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    ap.add_argument("--force", action="store_true", help="rewrite files that already exist")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    names = [n.strip() for n in a.only.split(",") if n.strip()] or list(TABLES)
    for n in names:
        if n not in TABLES:
            sys.exit(f"unknown table {n}; choose from {', '.join(TABLES)}")
    # Remember the parameters so a rerun can skip identical, complete files.
    with Pool(a.jobs) as pool:
        for n in names:
            rows = a.rows or TABLES[n][2]
            path = os.path.join(a.out, n)
            stamp = path + ".stamp"
            want = f"{n} rows={rows} seed={SEED} chunk={CHUNK} src={_source_hash()}\n"
            if not a.force and os.path.exists(path) and os.path.exists(stamp):
                with open(stamp) as s:
                    if s.read() == want:
                        print(f"{path}: up to date")
                        continue
            write_table(pool, a.out, n, rows)
            with open(stamp, "w") as s:
                s.write(want)


if __name__ == "__main__":
    main()
