"""Everything the bot says, in Bahasa Indonesia (the msgids); English in
channels_intake/locale/en. WhatsApp renders *bold*."""

from django.utils.translation import gettext_lazy as _

GREETING = _("Halo, selamat datang di layanan pengaduan PLN.")
MENU = _(
    "Silakan pilih layanan dengan membalas angkanya:\n"
    "1. Gangguan listrik\n"
    "2. Tagihan / rekening\n"
    "3. Meteran (kWh meter / token)\n"
    "4. Informasi pemadaman\n"
    "5. Cek status pengaduan\n"
    "6. Pengaduan lainnya\n\n"
    "Ketik *menu* kapan saja untuk kembali ke sini, *batal* untuk membatalkan. "
    "Type *english* for English."
)
UNKNOWN_CHOICE = _("Maaf, pilihan itu tidak ada. Balas dengan angka pada daftar.")
CANCELLED = _("Baik, dibatalkan.")
LANGUAGE_CHANGED = _("Baik, kita lanjutkan dalam Bahasa Indonesia.")
UNSUPPORTED = _("Maaf, jenis pesan ini belum dapat kami proses. Silakan kirim teks atau foto.")

FAULT_MENU = _(
    "Gangguan apa yang Anda alami?\n"
    "1. Listrik padam di rumah / lokasi saya\n"
    "2. Padam meluas (satu lingkungan)\n"
    "3. Tegangan tidak stabil / lampu berkedip\n"
    "4. Bahaya: tiang roboh, kabel putus, percikan api"
)
METER_MENU = _(
    "Masalah meteran apa?\n"
    "1. kWh meter rusak / tampil PERIKSA\n"
    "2. Token prabayar gagal (GAGAL / REJECT / USED / OVER)"
)
HAZARD_WARNING = _(
    "Demi keselamatan, jauhi tiang atau kabel tersebut dan jangan menyentuhnya. "
    "Laporan bahaya kami tangani paling dahulu."
)

ASK_ID = _(
    "Kirim *ID pelanggan* (12 angka, tertera di rekening atau struk token) atau "
    "*nomor meter* (11 angka, tertera pada kWh meter)."
)
ASK_ID_KNOWN = _("Ketik *1* untuk memakai ID pelanggan %(masked)s yang terdaftar untuk nomor ini.")
BAD_ID = _(
    "Maaf, itu bukan ID pelanggan maupun nomor meter yang valid. ID pelanggan terdiri dari "
    "12 angka, nomor meter 11 angka. Silakan kirim lagi."
)
PHONE_HINT = _("Nomor yang diawali 08 atau +62 biasanya nomor telepon, bukan ID pelanggan.")
UNKNOWN_ID = _(
    "Nomor %(value)s tidak kami temukan di data pelanggan. Periksa kembali nomor pada "
    "rekening atau struk token lalu kirim lagi. Bila nomornya sudah benar, kirim nomor yang "
    "sama sekali lagi untuk melanjutkan."
)
ASK_NAME = _("Siapa nama lengkap Anda?")
BAD_NAME = _("Mohon tuliskan nama lengkap Anda (huruf, paling banyak 120 karakter).")
ASK_ADDRESS = _(
    "Tuliskan alamat lengkap lokasi gangguan (jalan, nomor, RT/RW, kelurahan, kota). "
    "Anda juga dapat mengirim lokasi (share location)."
)
BAD_ADDRESS = _(
    "Alamat terlalu singkat. Mohon tuliskan alamat lengkap lokasi gangguan, atau kirim lokasi."
)
ASK_DESCRIPTION = _(
    "Ceritakan singkat masalahnya (contoh: listrik mati sejak pukul 15.00, lampu sering berkedip)."
)
BAD_DESCRIPTION = _("Mohon jelaskan masalahnya dalam beberapa kata.")
ASK_PHOTO = _(
    "Bila ada, kirim foto (misalnya kWh meter atau lokasi gangguan). Ketik *lewati* bila tidak "
    "ada foto."
)
BAD_PHOTO_STEP = _("Kirim foto, atau ketik *lewati* untuk melanjutkan tanpa foto.")
PHOTO_REJECTED = _("Foto tidak dapat kami terima: %(reason)s")
PHOTO_KEPT = _("Foto Anda kami simpan dan akan dilampirkan pada pengaduan.")
PHOTO_ADDED = _("Foto sudah kami lampirkan pada pengaduan %(ticket)s.")
CASE_OPENED = _(
    "Pengaduan Anda sudah kami terima dengan nomor tiket *%(ticket)s*. Simpan nomor ini untuk "
    "menanyakan status."
)
CASE_REJECTED = _("Maaf, pengaduan belum dapat kami catat: %(reason)s")
BACK_TO_MENU = _("Ketik *menu* untuk layanan lain.")

ASK_TICKET = _("Kirim nomor tiket pengaduan Anda (contoh: ADU-7K3M-9Q2X).")
BAD_TICKET = _(
    "Nomor tiket tidak valid. Nomor tiket berbentuk ADU-XXXX-XXXX, tertera pada pesan "
    "konfirmasi. Periksa kembali lalu kirim lagi, atau ketik *menu*."
)
TICKET_NOT_FOUND = _(
    "Pengaduan %(ticket)s tidak kami temukan. Periksa kembali lalu kirim lagi, atau ketik *menu*."
)
STATUS = _("Pengaduan *%(ticket)s* (%(category)s), dilaporkan %(date)s.\nStatus: *%(label)s*.")
STATUS_MERGED = _("Pengaduan %(ticket)s digabung dengan pengaduan %(target)s.")
FOLLOW_UP_ADDED = _(
    "Pesan Anda sudah kami tambahkan pada pengaduan %(ticket)s. Petugas kami akan "
    "menindaklanjutinya."
)

OUTAGE_ASK_ID = _(
    "Untuk informasi pemadaman di wilayah Anda, kirim ID pelanggan (12 angka) atau nomor "
    "meter (11 angka)."
)
OUTAGE_UNKNOWN_ID = _(
    "Nomor %(value)s tidak kami temukan di data pelanggan. Periksa kembali lalu kirim lagi, "
    "atau ketik *menu*."
)
OUTAGE_NONE = _(
    "Saat ini tidak ada pemadaman terencana maupun gangguan yang tercatat untuk wilayah Anda. "
    "Bila listrik Anda padam, ketik *menu* lalu pilih 1 untuk melapor."
)
OUTAGE_HEADER = _("Informasi pemadaman untuk wilayah Anda:")
OUTAGE_PLANNED = _("Pemadaman terencana %(start)s sampai %(end)s: %(description)s")
OUTAGE_INCIDENT = _("Gangguan sedang ditangani, perkiraan menyala %(end)s: %(description)s")
UNKNOWN_TIME = _("(belum diketahui)")

# Issue 6: answers to "Listrik sudah menyala? 1 Ya / 2 Tidak" (complaints.incidents).
RESTORATION_YES = _(
    "Terima kasih atas konfirmasinya. Syukurlah listrik Anda sudah menyala kembali; pengaduan "
    "%(ticket)s kami tutup."
)
RESTORATION_STILL_OFF = _(
    "Mohon maaf listrik Anda masih padam. Laporan Anda kami lanjutkan sebagai pengaduan baru "
    "*%(ticket)s* dan petugas kami akan segera menindaklanjutinya."
)
