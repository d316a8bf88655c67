"""Makes realisasi-2023.xlsx, a workbook typed the way offices type them (run: python3 make-realisasi-xlsx.py).

Sheet "Rekap": a merged title row, an empty row, a two-row header whose "Anggaran" is merged
over "Pagu" and "Realisasi" (and "No"/"Kabupaten" merged down), numbers stored as text
(Indonesian thousands), a percent-formatted column, a date column, "-" for no value and a
"WTP" in the numeric column. Sheet "Catatan": a plain small table.
"""
import datetime
import openpyxl
from openpyxl.styles import Font

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Rekap"
ws["A1"] = "REALISASI DANA DESA TAHUN 2023"
ws.merge_cells("A1:F1")
ws["A1"].font = Font(bold=True)
ws["A3"] = "No"; ws.merge_cells("A3:A4")
ws["B3"] = "Kabupaten"; ws.merge_cells("B3:B4")
ws["C3"] = "Anggaran"; ws.merge_cells("C3:D3")
ws["C4"] = "Pagu"; ws["D4"] = "Realisasi"
ws["E3"] = "Serapan"; ws.merge_cells("E3:E4")
ws["F3"] = "Tanggal Laporan"; ws.merge_cells("F3:F4")
rows = [
    (1, "Kupang", "1.476.000.000", 1200000000, 0.813, datetime.date(2023, 12, 31)),
    (2, "Timor Tengah Selatan  ", "9.051.591.780", 8500000000.5, 0.9391, datetime.date(2024, 1, 15)),
    (3, "Belu", "873.000.000", "-", None, datetime.date(2024, 1, 2)),
    (4, "Alor", "WTP", 500000000, 1, datetime.date(2024, 2, 29)),
]
for i, (no, kab, pagu, real, serapan, tanggal) in enumerate(rows):
    r = 5 + i
    ws.cell(r, 1, no)
    ws.cell(r, 2, kab)
    ws.cell(r, 3, pagu)
    ws.cell(r, 4, real)
    if serapan is not None:
        ws.cell(r, 5, serapan).number_format = "0.00%"
    c = ws.cell(r, 6, tanggal)
    c.number_format = "dd/mm/yyyy"
notes = wb.create_sheet("Catatan")
notes.append(["Kode", "Keterangan"])
notes.append(["01", "Data sementara"])
notes.append(["02", "Data final"])
wb.save("realisasi-2023.xlsx")
