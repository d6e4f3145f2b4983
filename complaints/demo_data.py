"""The text of the demo data: places, people's names, and what customers and staff write.
Data only; ``complaints.demo`` decides how it is used."""

from dataclasses import dataclass

from staff.models import UnitTimezone


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def items(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


# --- Geography -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeSpec:
    """A service office (ULP) and the streets its customers live on."""

    code: str
    name: str
    short: str
    lat: float
    lon: float
    id_prefix: str  # an ID pelanggan starts with the unit's code
    weight: int  # share of the customers
    city: str
    kecamatan: tuple[str, ...]
    kelurahan: tuple[str, ...]
    streets: tuple[str, ...]


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    offices: tuple[OfficeSpec, ...]


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    timezone: str
    lat: float
    lon: float
    areas: tuple[AreaSpec, ...]
    names: str  # the name pool its people come from
    landline: str  # area code of business landlines


def office(head: str, kecamatan: str, kelurahan: str, streets: str) -> OfficeSpec:
    """``head`` is "code | name | short | lat, lon | ID prefix | weight | city postcode"."""
    code, name, short, position, prefix, weight, city = (part.strip() for part in head.split("|"))
    lat, lon = (float(value) for value in position.split(","))
    return OfficeSpec(
        code=code,
        name=name,
        short=short,
        lat=lat,
        lon=lon,
        id_prefix=prefix,
        weight=int(weight),
        city=city,
        kecamatan=items(kecamatan),
        kelurahan=items(kelurahan),
        streets=items(streets),
    )


JAKARTA = RegionSpec(
    code="JKT",
    name="UID Jakarta Raya",
    timezone=UnitTimezone.WIB,
    lat=-6.2088,
    lon=106.8456,
    names="jakarta",
    landline="021",
    areas=(
        AreaSpec(
            "UP3-MTG",
            "UP3 Menteng",
            (
                office(
                    "ULP-CKN | ULP Cikini | CKN | -6.1896, 106.8410 | 54110 | 45 | "
                    "Jakarta Pusat 10330",
                    "Menteng, Senen",
                    "Cikini, Pegangsaan, Kenari, Paseban",
                    "Jl. Cikini Raya, Jl. Raden Saleh Raya, Jl. Pegangsaan Barat, "
                    "Jl. Kramat Sentiong, Jl. Salemba Tengah",
                ),
                office(
                    "ULP-MTG | ULP Menteng | MTG | -6.1966, 106.8305 | 54120 | 35 | "
                    "Jakarta Pusat 10310",
                    "Menteng, Tanah Abang",
                    "Menteng, Gondangdia, Kebon Sirih, Kebon Melati",
                    "Jl. Teuku Umar, Jl. H. Agus Salim, Jl. Kebon Sirih, Jl. Kebon Kacang Raya, "
                    "Jl. Johar",
                ),
            ),
        ),
        AreaSpec(
            "UP3-BLG",
            "UP3 Bulungan",
            (
                office(
                    "ULP-KBB | ULP Kebayoran Baru | KBB | -6.2437, 106.7985 | 54310 | 40 | "
                    "Jakarta Selatan 12160",
                    "Kebayoran Baru",
                    "Senayan, Melawai, Gandaria Utara, Pulo, Kramat Pela",
                    "Jl. Wolter Monginsidi, Jl. Panglima Polim, Jl. Gandaria Tengah, "
                    "Jl. Kyai Maja, Jl. Radio Dalam",
                ),
                office(
                    "ULP-CPT | ULP Ciputat | CPT | -6.3093, 106.7546 | 54320 | 40 | "
                    "Tangerang Selatan 15411",
                    "Ciputat, Ciputat Timur",
                    "Cempaka Putih, Pisangan, Serua, Rempoa, Cirendeu",
                    "Jl. Ir. H. Juanda, Jl. Dewi Sartika, Jl. Aria Putra, Jl. WR Supratman, "
                    "Jl. Cirendeu Raya",
                ),
            ),
        ),
    ),
)
BALI = RegionSpec(
    code="BALI",
    name="UID Bali",
    timezone=UnitTimezone.WITA,
    lat=-8.6705,
    lon=115.2126,
    names="bali",
    landline="0361",
    areas=(
        AreaSpec(
            "UP3-BSL",
            "UP3 Bali Selatan",
            (
                office(
                    "ULP-KTA | ULP Kuta | KTA | -8.7237, 115.1752 | 55110 | 30 | Badung 80361",
                    "Kuta",
                    "Kuta, Legian, Seminyak, Tuban",
                    "Jl. Legian, Jl. Pantai Kuta, Jl. Raya Kuta, Jl. Sunset Road, Jl. Dewi Sri",
                ),
                office(
                    "ULP-SNR | ULP Sanur | SNR | -8.6883, 115.2620 | 55120 | 25 | Denpasar 80228",
                    "Denpasar Selatan",
                    "Sanur, Sanur Kaja, Renon, Sidakarya",
                    "Jl. Danau Tamblingan, Jl. Bypass Ngurah Rai, Jl. Hang Tuah, "
                    "Jl. Tukad Badung, Jl. Danau Poso",
                ),
                office(
                    "ULP-DPS | ULP Denpasar | DPS | -8.6560, 115.2160 | 55130 | 25 | "
                    "Denpasar 80119",
                    "Denpasar Barat, Denpasar Utara",
                    "Dauh Puri, Pemecutan, Peguyangan, Ubung",
                    "Jl. Gatot Subroto, Jl. Gunung Agung, Jl. Cokroaminoto, Jl. Imam Bonjol, "
                    "Jl. Diponegoro",
                ),
            ),
        ),
    ),
)
PAPUA = RegionSpec(
    code="PAPUA",
    name="UID Papua dan Papua Barat",
    timezone=UnitTimezone.WIT,
    lat=-2.5337,
    lon=140.7181,
    names="papua",
    landline="0967",
    areas=(
        AreaSpec(
            "UP3-JYP",
            "UP3 Jayapura",
            (
                office(
                    "ULP-JYK | ULP Jayapura Kota | JYK | -2.5330, 140.7170 | 59110 | 22 | "
                    "Jayapura 99111",
                    "Jayapura Utara, Jayapura Selatan",
                    "Gurabesi, Bhayangkara, Argapura, Hamadi",
                    "Jl. Ahmad Yani, Jl. Percetakan Negara, Jl. Koti, Jl. Argapura, "
                    "Jl. Pasifik Permai",
                ),
                office(
                    "ULP-ABE | ULP Abepura | ABE | -2.6160, 140.6720 | 59120 | 20 | Jayapura 99351",
                    "Abepura, Heram",
                    "Kota Baru, Asano, Waena, Yabansai",
                    "Jl. Raya Abepura, Jl. Kampus Uncen, Jl. Baru Kotaraja, "
                    "Jl. Raya Sentani Waena, Jl. Padang Bulan",
                ),
                office(
                    "ULP-STN | ULP Sentani | STN | -2.5630, 140.5150 | 59130 | 18 | "
                    "Kabupaten Jayapura 99352",
                    "Sentani, Waibu",
                    "Hinekombe, Dobonsolo, Sentani Kota, Hobong",
                    "Jl. Raya Sentani, Jl. Kemiri, Jl. Bandara Sentani, Jl. Pos 7, Jl. Hawai",
                ),
            ),
        ),
    ),
)
REGIONS = (JAKARTA, BALI, PAPUA)


# --- People ----------------------------------------------------------------------------------

JAKARTA_MALE = words(
    "Budi Agus Andi Rudi Hendra Eko Dedi Joko Rizky Fajar Dimas Yoga Arif Bayu Hadi Irfan Teguh "
    "Wahyu Ahmad Muhammad Slamet Taufik Reza Kevin Daniel Ilham Yusuf Hendro Bambang Rahmat"
)
JAKARTA_FEMALE = words(
    "Siti Sri Dewi Rina Wati Ani Yuli Fitri Indah Lestari Nur Putri Ayu Ratna Maya Dian Nurul "
    "Wulan Intan Kartika Melati Citra Lina Novi Yanti Endang Susi Mega"
)
JAKARTA_FAMILY = words(
    "Santoso Wijaya Saputra Hidayat Kusuma Pratama Nugroho Setiawan Gunawan Susanto Siregar "
    "Nasution Simanjuntak Hutapea Lubis Harahap Tanjung Sihombing Halim Salim Wibowo Hartono "
    "Purnomo Rahman Syahputra Firmansyah Hakim Permana Suryadi Sembiring Ginting Manurung "
    "Situmorang Rangkuti Kurniawan Hermawan Rahmawati Maulana Anggraini Utami"
)
# Many Javanese have a single name.
SINGLE_NAMES = words("Sutrisno Suparman Mulyadi Sumarni Sukarni Wagiman Sugiarto Paijo Tukiyem")
BALI_MALE_PREFIX = ("I Wayan", "I Made", "I Nyoman", "I Ketut", "I Putu", "I Kadek", "I Gede")
BALI_FEMALE_PREFIX = ("Ni Wayan", "Ni Made", "Ni Nyoman", "Ni Ketut", "Ni Putu", "Ni Luh")
BALI_MALE = words(
    "Sudarsana Artawan Suardana Wirawan Adnyana Mahendra Sukadana Astawa Widiantara Darmawan "
    "Arsana Suarjana Budiasa"
)
BALI_FEMALE = words(
    "Sukerti Ariani Suryani Puspitasari Sumiati Widiastuti Arini Eka Yanti Sri Wahyuni "
    "Ayu Lestari Ratih Juliantari"
)
PAPUA_MALE = words("Yohanes Marthen Yakobus Frans Yosias Markus Petrus Otto Nikolas Elias Yulius")
PAPUA_FEMALE = words(
    "Maria Agustina Yuliana Martha Ribka Naomi Debora Yosina Selfina Fransina Yohana"
)
PAPUA_FAMILY = words(
    "Wenda Kogoya Rumbiak Wonda Mandowen Rumaropen Yoku Ohee Itaar Kambu Sawaki Krey Youw "
    "Tabuni Wanimbo Rumkorem Waromi Mebri Puhili Dimara"
)
# Settlers from Sulawesi and Maluku are a large share of Jayapura's people.
PAPUA_SETTLERS = (
    "Andi Baso",
    "Muhammad Arsyad",
    "Hasnah Daeng",
    "Sitti Rahmah",
    "Johny Rumengan",
    "Grace Lumintang",
    "Ramli Latuconsina",
    "Nurhayati Pattimura",
    "Syamsul Bahri",
)
BUSINESSES = {
    "jakarta": (
        "Toko Sinar Jaya",
        "Warung Makan Sederhana",
        "CV Mitra Abadi",
        "Klinik Pratama Sehat",
        "Bengkel Motor Jaya",
        "Laundry Bersih Wangi",
        "Apotek Sentosa",
        "Kos Putri Melati",
        "RM Padang Salero",
    ),
    "bali": (
        "Villa Sari Kuta",
        "Homestay Dewi",
        "Art Shop Mertha Sari",
        "Warung Nasi Ayam Bu Oki",
        "Surf Shop Legian",
        "Laundry Segara",
    ),
    "papua": (
        "Toko Bangunan Sentani Jaya",
        "Kios Mama Yosina",
        "RM Papeda Sentani",
        "Apotek Waena",
        "Bengkel Abepura Motor",
    ),
}
MOBILE_PREFIXES = words(
    "0811 0812 0813 0821 0822 0823 0852 0853 0814 0815 0816 0855 0856 0857 0858 0817 0818 0819 "
    "0859 0877 0878 0895 0896 0897 0898 0899 0881 0882 0887 0888"
)
EMAIL_DOMAINS = ("gmail.com", "gmail.com", "gmail.com", "yahoo.co.id", "yahoo.com", "outlook.com")


# --- What customers write, and what staff answer ----------------------------------------------

DESCRIPTIONS = {
    "padam-rumah": (
        "Listrik di rumah padam sejak pukul {hour}.{minute:02d}, rumah tetangga menyala.",
        "Lampu mati total, MCB sudah dinaikkan tapi turun lagi.",
        "Listrik padam, token masih ada {kwh} kWh.",
        "Rumah saya gelap sejak tadi malam, mohon segera dicek.",
        "Listrik mati setelah hujan deras, ada bunyi letupan di tiang depan rumah.",
    ),
    "padam-area": (
        "Satu gang padam semua sejak pukul {hour}.{minute:02d}.",
        "Listrik padam satu kompleks, terdengar ledakan di gardu.",
        "Padam se-RT, sudah lebih dari 2 jam belum menyala.",
        "Seluruh jalan {street} gelap, lampu jalan juga mati.",
    ),
    "tegangan": (
        "Lampu sering berkedip terutama malam hari.",
        "Tegangan naik turun, kulkas mati-hidup sendiri.",
        "Tegangan hanya sekitar 170 V, pompa air tidak kuat.",
        "Lampu redup sejak kemarin, alat elektronik sering mati.",
    ),
    "bahaya": (
        "Tiang listrik miring hampir roboh di depan rumah no. {number}.",
        "Kabel putus menjuntai ke jalan, berbahaya untuk pengendara.",
        "Ada percikan api di kabel dekat tiang, mohon segera ditangani.",
        "Pohon tumbang menimpa kabel listrik di {street}.",
    ),
    "meter": (
        "kWh meter bunyi terus dan muncul tulisan Periksa.",
        "Layar kWh meter mati, angka tidak bisa dibaca.",
        "Meter berbunyi tit-tit padahal token masih banyak.",
        "Keypad meter tidak berfungsi, tidak bisa isi token.",
    ),
    "token": (
        "Sudah beli token Rp{amount} tapi saat dimasukkan muncul Gagal.",
        "Token sudah dibayar lewat m-banking tapi nomor token tidak keluar.",
        "Salah input nomor meter saat beli token Rp{amount}, mohon dibantu.",
        "Token 20 digit ditolak meter, tulisan Reject.",
    ),
    "tagihan": (
        "Tagihan bulan ini naik hampir dua kali lipat padahal pemakaian sama.",
        "Stand meter di rekening tidak sesuai dengan angka di meter rumah.",
        "Sudah bayar tagihan tapi masih tercatat tunggakan.",
        "Ada biaya keterlambatan padahal saya bayar sebelum tanggal 20.",
    ),
    "info-padam": (
        "Apakah ada jadwal pemadaman di Kel. {kelurahan} minggu ini?",
        "Kenapa listrik sering padam bergilir di wilayah kami?",
        "Mohon info kapan listrik di {street} menyala kembali.",
    ),
    "layanan": (
        "Petugas catat meter tidak datang, tagihan ditaksir.",
        "Sudah tiga kali lapor tapi belum ada tindak lanjut.",
        "Petugas di kantor pelayanan kurang ramah.",
    ),
    "lainnya": (
        "Mohon info cara tambah daya dari 900 VA ke 1300 VA.",
        "Ingin pindah lokasi kWh meter karena renovasi rumah.",
        "Bagaimana cara balik nama pelanggan?",
    ),
}
RESOLUTIONS = {
    "padam-rumah": (
        "MCB pelanggan trip karena beban lebih; sudah dinormalkan.",
        "Kabel SR putus, sudah disambung ulang.",
        "Konektor di tiang terbakar, diganti baru.",
        "Sekering di APP putus, diganti.",
    ),
    "padam-area": (
        "Penyulang trip karena ranting pohon menyentuh jaringan; pohon dirabas, "
        "penyulang dinormalkan.",
        "FCO gardu putus, sudah diganti; listrik menyala kembali.",
        "Trafo gardu beban lebih, dilakukan penyeimbangan beban.",
    ),
    "tegangan": (
        "Netral longgar di tiang, dikencangkan; tegangan terukur 221 V.",
        "Tap trafo disesuaikan; tegangan terukur 218 V.",
        "Sambungan SR diperbaiki; tegangan stabil.",
    ),
    "bahaya": (
        "Tiang miring ditegakkan dan diberi guy wire.",
        "Kabel putus diamankan dan disambung ulang.",
        "Ranting pohon yang menyentuh jaringan TM sudah dirabas.",
    ),
    "meter": (
        "kWh meter prabayar rusak, diganti meter baru.",
        "Keypad meter rusak, meter diganti.",
        "MCB di meter diganti; meter normal.",
    ),
    "token": (
        "Pelanggan dipandu memasukkan KCT terlebih dahulu; token berhasil.",
        "Token tertahan karena gangguan bank; token dikirim ulang lewat SMS.",
        "Salah nomor meter: pengembalian dana diproses lewat bank penjual.",
    ),
    "tagihan": (
        "Kenaikan karena pemakaian naik; stand meter sesuai foto baca meter.",
        "Salah catat stand meter; rekening dikoreksi bulan depan.",
        "Pembayaran sudah tercatat; tunggakan dihapus.",
    ),
    "info-padam": (
        "Pemadaman terencana untuk pemeliharaan jaringan, pukul 09.00-15.00; info disampaikan.",
        "Padam karena gangguan penyulang; estimasi nyala disampaikan.",
    ),
    "layanan": (
        "Keluhan diteruskan ke manajer ULP; pelanggan sudah dihubungi dan dimintai maaf.",
        "Jadwal catat meter diperbaiki; petugas datang ulang.",
    ),
    "lainnya": (
        "Prosedur dijelaskan; pelanggan diarahkan ke menu Tambah Daya di PLN Mobile.",
        "Permohonan diteruskan ke bagian pelayanan pelanggan ULP.",
    ),
}
WAIT_REASONS = (
    "Mohon kirim foto kWh meter dan ID pelanggan.",
    "Alamat kurang lengkap, mohon kirim patokan lokasi.",
    "Mohon kirim foto struk pembelian token.",
    "ID pelanggan tidak ditemukan, mohon konfirmasi nomornya.",
)
REJECT_REASONS = (
    "Jaringan milik pengelola gedung, di luar wilayah kerja PLN.",
    "Instalasi di dalam rumah milik pelanggan; disarankan menghubungi instalatir.",
    "Pelanggan tidak melengkapi data dalam 3x24 jam.",
    "Laporan tidak dapat diverifikasi.",
)
REOPEN_REASONS = {
    "field": (
        "Listrik padam lagi setelah petugas pulang.",
        "Masalah belum selesai, lampu masih berkedip.",
        "Meter masih berbunyi.",
    ),
    "back_office": (
        "Token masih gagal.",
        "Tagihan belum dikoreksi.",
        "Jawaban belum menjawab pertanyaan saya.",
    ),
}
DESK_NOTES = (
    "Pelanggan dihubungi lewat telepon, alamat sudah dikonfirmasi.",
    "Riwayat: gangguan serupa bulan lalu di alamat yang sama.",
    "Lokasi dekat sekolah, mohon didahulukan.",
    "Pelanggan minta dihubungi sebelum petugas datang.",
)
TECHNICIAN_NOTES = (
    "Menuju lokasi, jalan macet.",
    "Perlu material tambahan (konektor, kabel SR).",
    "Pengukuran tegangan sisi pelanggan 198 V.",
    "Pelanggan tidak di rumah, menunggu konfirmasi.",
)
CUSTOMER_MESSAGES = (
    "Bapak/Ibu, laporan Anda sedang kami tindak lanjuti. Terima kasih atas kesabarannya.",
    "Petugas kami akan datang hari ini. Mohon pastikan ada yang di rumah.",
    "Laporan Anda sedang kami periksa bersama unit terkait.",
)
PRIORITY_NOTES = (
    "Fasilitas kesehatan terdampak.",
    "Banyak laporan serupa di lokasi yang sama.",
    "Pelanggan lansia dengan alat medis di rumah.",
)
CUSTOMER_REPLIES = (
    "Ini ID pelanggan saya, sesuai yang tertera di struk token.",
    "Foto kWh meter sudah saya kirim barusan.",
    "Patokannya dekat masjid, rumah pagar hijau di ujung gang.",
    "Struk pembelian token terlampir, dibeli lewat m-banking.",
)
FOLLOW_UPS = (
    "Mohon info, petugas sudah sampai mana?",
    "Sudah dua jam belum ada petugas, mohon dibantu.",
    "Terima kasih, kami tunggu petugasnya.",
    "Apakah ada perkiraan jam menyala?",
)
# Visitors and expatriates in Bali's tourist areas often write in English.
DESCRIPTIONS_EN = {
    "padam-rumah": (
        "No power at our villa since {hour}.{minute:02d}, the neighbours have electricity.",
        "Power went out after the storm, the breaker trips again when switched on.",
    ),
    "padam-area": ("The whole street is dark since {hour}.{minute:02d}, street lights too.",),
    "tegangan": ("Lights keep flickering every evening and the AC switches off.",),
    "meter": ("The prepaid meter keeps beeping and shows 'Periksa'.",),
    "token": ("Bought a Rp{amount} token but the meter rejects it.",),
    "tagihan": ("This month's bill is almost double, our usage did not change.",),
}
CUSTOMER_REPLIES_EN = (
    "Here is the customer ID from the token receipt.",
    "Photo of the meter sent.",
)
FOLLOW_UPS_EN = ("Any update on when the technician arrives?", "Thank you, we will wait.")

# Satisfaction survey comments by score (complaints.demo._surveys).
SURVEY_COMMENTS = {
    5: ("Petugas cepat dan ramah, terima kasih PLN.", "Mantap, listrik sudah normal lagi."),
    4: ("Sudah beres, tapi menunggu agak lama.", "Terima kasih, petugas sopan."),
    3: ("Lumayan, tapi kabar perkembangannya kurang.", "Perlu dua kali lapor baru ditangani."),
    2: ("Petugas datang sangat terlambat.", "Tidak ada kabar perkembangan."),
    1: ("Penanganannya lama sekali.", "Tidak ada kabar sama sekali dari petugas."),
}
SURVEY_COMMENTS_EN = {
    5: ("Quick and friendly crew, thank you.", "All good, power is back."),
    4: ("Fixed, but it took a while.", "Thanks, the technician was polite."),
    3: ("Okay, but updates were scarce.", "I had to report twice."),
    2: ("The crew came very late.", "No updates at all."),
    1: ("It took far too long.", "Nobody told me anything."),
}
