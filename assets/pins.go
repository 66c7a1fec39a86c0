// Pinned npm packages: tarball integrity from `npm view <pkg>@<v> dist.integrity`,
// file hashes from sha256sum of the extracted files. Re-verify before changing.

package assets

var echartsPkg = &Package{
	Name:      "echarts",
	Version:   "5.6.0",
	Tarball:   "https://registry.npmjs.org/echarts/-/echarts-5.6.0.tgz",
	Integrity: "sha512-oTbVTsXfKuEhxftHqL5xprgLoc0k7uScAwtryCgWF6hPYFLRwOUHiFmHGCBKP5NPFNkDVopOieyUqYGH8Fa3kA==",
	Files: map[string]string{
		"dist/echarts.min.js": "bf4a223524e40b77c304bec67e1222cf551f14880cf42c69dc046558e11c07b1",
	},
}

var katexPkg = &Package{
	Name:      "katex",
	Version:   "0.16.22",
	Tarball:   "https://registry.npmjs.org/katex/-/katex-0.16.22.tgz",
	Integrity: "sha512-XCHRdUw4lf3SKBaJe4EvgqIuWwkPSo9XoeO8GjQW94Bp7TWv9hNhzZjZ+OH9yf1UmLygb7DIT5GSFQiyt16zYg==",
	Files: map[string]string{
		"dist/katex.min.js":                          "e8d885505949f3a5f4abdd5dd0d53696bd1371ad26ffbf4f310dcd77c8cdae89",
		"dist/katex.min.css":                         "19095127357ed6d29fe0a63a6b000c913a89f7f1963b765dd3715e97c9852e75",
		"dist/contrib/auto-render.min.js":            "bb53eb953394531aae36fdd537065c4244eb8542901a3ce914601d932675b8ac",
		"dist/fonts/KaTeX_AMS-Regular.woff2":         "0cdd387c9590a1a9f9794560022dbb59654a7d86f187aa0c81495ad42d3a7308",
		"dist/fonts/KaTeX_Caligraphic-Bold.woff2":    "de7701e42cf1f4cf0b766c03fb27977207eee2f4fd5d76fa82188406da43ea4c",
		"dist/fonts/KaTeX_Caligraphic-Regular.woff2": "5d53e70ad607c2352162dec9e0923fb54ecdafaccbf604cd8dcf7d00facb989b",
		"dist/fonts/KaTeX_Fraktur-Bold.woff2":        "74444efd593c005e3f4573b44524704c0af0a937fe911cca9e94068d0d140d3f",
		"dist/fonts/KaTeX_Fraktur-Regular.woff2":     "51814d270d06ff0255dba0799994fa4d8c84d11f09951d47595f4abb1f3602dc",
		"dist/fonts/KaTeX_Main-Bold.woff2":           "0f60d1b897938ec918c8ce073092411baf9438f6739465693ff18b0f9d20b021",
		"dist/fonts/KaTeX_Main-BoldItalic.woff2":     "99cd42a3c072d918f2f44984a807cf7aa16e13545fd0875fc07c6c65f99e715b",
		"dist/fonts/KaTeX_Main-Italic.woff2":         "97479ca6cce906abc961ecac96faa5f9ca2e61b8e7670d475826bcdee9a7c267",
		"dist/fonts/KaTeX_Main-Regular.woff2":        "c2342cd8b869e01752a9321dc17213fc40d4d04c79688c1d43f2cf316abd7866",
		"dist/fonts/KaTeX_Math-BoldItalic.woff2":     "dc47344dbb6cb5b655c8460d561f4df5f501b90c804ad3c6cec65fe322351ab1",
		"dist/fonts/KaTeX_Math-Italic.woff2":         "7af58c5ec8f132a2ddde9027c6d7814decce4d3b822a11192a42a20e2e973264",
		"dist/fonts/KaTeX_SansSerif-Bold.woff2":      "e99ae51144bf1232efcc1bfe5add36262c6866b0faab24fa75740e1b98577a62",
		"dist/fonts/KaTeX_SansSerif-Italic.woff2":    "00b26ac825e2095056396e0553b8ac26d3f8ad158c3826e28b4c45b385c4714a",
		"dist/fonts/KaTeX_SansSerif-Regular.woff2":   "68e8c73ef42afd3ccec58bf0fba302cce448938e7fc020a5e31f8a952eee1342",
		"dist/fonts/KaTeX_Script-Regular.woff2":      "036d4e95149b69ff9bcc0cd55771efeb25ffa3947293e69acd78d5ac328c684b",
		"dist/fonts/KaTeX_Size1-Regular.woff2":       "6b47c40166b6dbe21a5dfca7718413f2147fd2399be1ba605d8ad39cedf25dfe",
		"dist/fonts/KaTeX_Size2-Regular.woff2":       "d04c54219f9eaec6d4d4fd42dfb28785975a4794d6b2fc71e566b9cd6db842dd",
		"dist/fonts/KaTeX_Size3-Regular.woff2":       "73d591271b1604960cb10bb90fee021670af7297017e0e98480b332d11f51995",
		"dist/fonts/KaTeX_Size4-Regular.woff2":       "a4af7d414440a1c1790825cfb700cf9cf43b0f2c4b04f0ebc523011ad9853ec0",
		"dist/fonts/KaTeX_Typewriter-Regular.woff2":  "71d517d67827787cfabdf186914cc3358eda539e37931941f2b2fd4a21f68c0b",
	},
}

// notoSansJPPkg is Noto Sans JP (SIL Open Font License 1.1) as Fontsource
// packs it: the "japanese" unicode-range file holds every kana, kanji and
// full-width form of the font in one WOFF2. Exported pages embed a subset of
// it with exactly the characters they use; pictures drawn in Go use it for
// Japanese labels.
var notoSansJPPkg = &Package{
	Name:      "noto-sans-jp",
	Version:   "5.3.0",
	Tarball:   "https://registry.npmjs.org/@fontsource/noto-sans-jp/-/noto-sans-jp-5.3.0.tgz",
	Integrity: "sha512-OZbBzZ8LrFRs2RFT2Cc0HUV2C2ZeSfyEXhDJWR0EZuZaraJfRubpvrFmUnCljuBDEkw8Vn6CE/+nf9dj9b+0lg==",
	Files: map[string]string{
		"files/noto-sans-jp-japanese-400-normal.woff2": "4a7b928d4d75e7fc0bace614030664a7ea7eb7d2f754fd2b2da9c3c0ed350570",
		"LICENSE": "18aabf190848725e2576eefb5c29ba06aac1029d02132252a7f312eac2e50cf3",
	},
}
