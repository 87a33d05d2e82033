"""The quarterly report template: an Excel workbook for one province and period.

The template follows the framework version in force for the period (``catalogue.version_for``):
its fields, its reporter and ministry, and its version cell (``template_version`` of the
version, also in the hidden ``_meta`` sheet with the version id).

Layout of the report sheet (the reader finds everything by the keys in column A and in the
hidden key row, so moved rows or inserted columns still read correctly):
- rows 2–4: ``province``, ``period``, ``template_version`` in column A, values in column D;
  row 5: who reports to whom;
- row 6 (hidden): column keys ``code``, ``value``, ``ref_no``, ``ref_date``, ``note``;
- row 7: the visible column headers; from row 8: one row per raw field, its code in column A.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from dxboard.catalogue import Catalogue, RawField, Version, load_catalogue
from dxboard.periods import Period, vn_now
from dxboard.registry import Province

REPORT_SHEET = "Báo cáo"
GUIDE_SHEET = "Hướng dẫn"
META_SHEET = "_meta"
META_KEYS = ("province", "period", "template_version")
KEY_ROW_MARKER = "code"
COLUMN_KEYS = {"code": "A", "value": "D", "ref_no": "F", "ref_date": "G", "note": "H"}
HEADERS = {
    "A": "Mã trường",
    "B": "STT",
    "C": "Chỉ tiêu",
    "D": "Giá trị",
    "E": "Đơn vị",
    "F": "Số văn bản",
    "G": "Ngày ban hành",
    "H": "Ghi chú",
}
FIRST_FIELD_ROW = 8
YES, NO = "Có", "Không"

_INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
_HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNLOCKED = Protection(locked=False)

GUIDE_LINES = [
    ("title", "HƯỚNG DẪN ĐIỀN BÁO CÁO CHUYỂN ĐỔI SỐ CẤP TỈNH"),
    ("", ""),
    (
        "",
        "1. Chỉ nhập vào các ô màu vàng nhạt ở sheet «Báo cáo» (cột Giá trị, Số văn bản, "
        "Ngày ban hành, Ghi chú). Các ô khác đã khóa để tránh ghi đè nhầm "
        "(khóa không có mật khẩu).",
    ),
    ("", "2. Không đổi tên sheet, không xóa hoặc chèn dòng, không sửa cột «Mã trường» (cột A)."),
    (
        "",
        "3. Câu hỏi Có/Không: chọn «Có» hoặc «Không» trong danh sách. Với «Có», ghi số và "
        "ngày của văn bản (quyết định, nghị quyết, kế hoạch).",
    ),
    (
        "",
        "4. Số đếm (thủ tục, hồ sơ, hộ, xã...) là số nguyên không âm. Số tiền tính bằng "
        "triệu đồng, có thể có phần thập phân.",
    ),
    (
        "",
        "5. Nên nhập giá trị dạng số. Nếu nhập dạng văn bản: dấu chấm ngăn cách hàng nghìn, "
        "dấu phẩy là phần thập phân (1.234.567 hoặc 12,5). Cách viết có thể hiểu hai nghĩa "
        "(1,234) sẽ bị từ chối.",
    ),
    (
        "",
        "6. Dòng «Trong đó» không được lớn hơn dòng tổng tương ứng (ví dụ: số thủ tục cung "
        "cấp trực tuyến ≤ tổng số thủ tục; chi an toàn thông tin ≤ chi CNTT ≤ tổng chi ngân "
        "sách).",
    ),
    (
        "",
        "7. Số liệu dạng tồn kho (số thủ tục, số hộ, số xã...) lấy tại ngày cuối quý. Số "
        "liệu ngân sách là số của cả năm tài chính theo hiểu biết tại thời điểm báo cáo.",
    ),
    (
        "",
        "8. Không dùng công thức trong ô nhập liệu; nếu dùng, hãy lưu tệp bằng Excel hoặc "
        "LibreOffice để tệp có giá trị đã tính.",
    ),
    (
        "",
        "9. Hạn nộp: 15 ngày sau khi kết thúc quý. Có thể nộp lại; bản được chấp nhận sau "
        "cùng là bản hiện hành, các bản trước vẫn được lưu.",
    ),
    ("", "10. Ô để trống nghĩa là «chưa có số liệu» (không phải số 0 hay «Không»)."),
]


def build_template(province: Province, period: Period, catalogue: Catalogue | None = None) -> bytes:
    """The template workbook for ``province`` and ``period`` (the version in force for the
    period), as .xlsx bytes."""
    catalogue = catalogue or load_catalogue()
    version = catalogue.version_for(period)
    wb = Workbook()
    guide = wb.worksheets[0]
    guide.title = GUIDE_SHEET
    _write_guide(guide, province, period, catalogue)
    report = wb.create_sheet(REPORT_SHEET)
    _write_report(report, province, period, version)
    meta = wb.create_sheet(META_SHEET)
    for i, (key, value) in enumerate(
        [
            ("template_version", version.template_version),
            ("framework", version.id),
            ("province_code", province.code),
            ("period", str(period)),
            ("generated_at", vn_now().isoformat(timespec="seconds")),
        ],
        start=1,
    ):
        meta.cell(i, 1, key)
        meta.cell(i, 2, value)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    wb.active = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def reporting_line(version: Version, province: Province) -> str:
    """``Đơn vị báo cáo: Sở … Đà Nẵng (Sở KH&CN); nơi nhận: Bộ … (Bộ KH&CN).`` (the template
    is in Vietnamese)."""
    reporter, ministry = version.reporter, version.ministry
    return (
        f"Đơn vị báo cáo: {reporter.name_vi} {province.short_name} ({reporter.short_vi}); "
        f"nơi nhận: {ministry.name_vi} ({ministry.short_vi})."
    )


def framework_lines(version: Version, catalogue: Catalogue) -> list[str]:
    """The version, its periods and its legal basis, cited by number and title."""
    basis = "; ".join(catalogue.document(n).citation("vi") for n in version.legal_basis)
    return [
        f"{version.name_vi} (áp dụng {version.span('vi')}; phiên bản mẫu "
        f"«{version.template_version}»). {version.summary_vi}",
        f"Căn cứ: {basis}.",
    ]


def _write_guide(ws: Worksheet, province: Province, period: Period, catalogue: Catalogue) -> None:
    version = catalogue.version_for(period)
    ws.column_dimensions["A"].width = 110
    for row, (style, text) in enumerate(GUIDE_LINES, start=1):
        cell = ws.cell(row, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if style == "title":
            cell.font = Font(bold=True, size=14, color="1F4E79")
    footer = len(GUIDE_LINES) + 2
    lines = [
        f"Mẫu dành cho: {province.name} (mã {province.code}), kỳ {period} "
        f"(quý {period.quarter}/{period.year}).",
        reporting_line(version, province),
        *framework_lines(version, catalogue),
    ]
    for row, text in enumerate(lines, start=footer):
        cell = ws.cell(row, 1, text)
        cell.font = Font(italic=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.protection.sheet = True


def _write_report(ws: Worksheet, province: Province, period: Period, version: Version) -> None:
    for col, width in zip("ABCDEFGH", (20, 5, 62, 16, 12, 18, 14, 30), strict=True):
        ws.column_dimensions[col].width = width
    ws["C1"] = "BÁO CÁO CHUYỂN ĐỔI SỐ CẤP TỈNH"
    ws["C1"].font = Font(bold=True, size=14, color="1F4E79")
    meta = {
        "province": ("Tỉnh / thành phố", province.name),
        "period": ("Kỳ báo cáo (năm-quý)", str(period)),
        "template_version": ("Phiên bản mẫu (khung chỉ tiêu)", version.template_version),
    }
    for row, key in enumerate(META_KEYS, start=2):
        label, value = meta[key]
        ws.cell(row, 1, key).font = Font(color="A6A6A6", size=8)
        ws.cell(row, 3, label).font = Font(bold=True)
        ws.cell(row, 4, value).font = Font(bold=True)
    ws["E2"] = f"Mã: {province.code}"
    ws["E4"] = f"{version.name_vi}, áp dụng {version.span('vi')}"
    ws["C5"] = reporting_line(version, province)
    ws["C5"].font = Font(italic=True)
    for key, col in COLUMN_KEYS.items():
        ws[f"{col}6"] = key
    ws.row_dimensions[6].hidden = True
    for col, text in HEADERS.items():
        cell = ws[f"{col}7"]
        cell.value = text
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    validations = _validations(ws)
    for i, fld in enumerate(version.fields):
        _write_field_row(ws, FIRST_FIELD_ROW + i, i + 1, fld, validations)
    ws.freeze_panes = "D8"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _validations(ws: Worksheet) -> dict[str, DataValidation]:
    specs = {
        "bool": DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True),
        "count": DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True
        ),
        "amount": DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
        ),
        "date": DataValidation(
            type="date", operator="greaterThan", formula1="36526", allow_blank=True
        ),
    }
    messages = {
        "bool": "Chọn Có hoặc Không.",
        "count": "Nhập số nguyên không âm.",
        "amount": "Nhập số không âm (triệu đồng).",
        "date": "Nhập ngày dạng dd/mm/yyyy.",
    }
    for key, dv in specs.items():
        dv.error = messages[key]
        dv.errorTitle = "Giá trị không hợp lệ"
        dv.prompt = messages[key]
        dv.showErrorMessage = True
        dv.showInputMessage = True
        ws.add_data_validation(dv)
    return specs


def field_label(fld: RawField) -> str:
    """A field's row label: its name, ``(*)`` when required, its former name when renamed."""
    text = fld.name_vi + (" (*)" if fld.required else "")
    return text + (f" — trước đây: «{fld.former_name_vi}»" if fld.former_name_vi else "")


def _write_field_row(
    ws: Worksheet, row: int, number: int, fld: RawField, validations: dict[str, DataValidation]
) -> None:
    ws.cell(row, 1, fld.code).font = Font(color="808080", size=8)
    ws.cell(row, 2, number)
    label = ws.cell(row, 3, field_label(fld))
    label.alignment = Alignment(wrap_text=True, indent=2 if fld.part_of else 0)
    ws.cell(row, 5, "Có / Không" if fld.kind == "bool" else fld.unit_vi)
    value = ws.cell(row, 4)
    validations[fld.kind].add(value)
    value.number_format = {"bool": "@", "count": "#,##0", "amount": "#,##0.0"}[fld.kind]
    inputs = [value, ws.cell(row, 8)]
    if fld.evidence:
        inputs += [ws.cell(row, 6), ws.cell(row, 7)]
        ws.cell(row, 7).number_format = "DD/MM/YYYY"
        validations["date"].add(ws.cell(row, 7))
    for cell in inputs:
        cell.protection = _UNLOCKED
        cell.fill = _INPUT_FILL
    for col in range(1, 9):
        ws.cell(row, col).border = _BOX
