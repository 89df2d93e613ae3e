package escpos

import "testing"

// BenchmarkQRRaster is the ticket's QR code drawn as a raster image, as the
// default printer setting sends it: the costliest part of a ticket.
func BenchmarkQRRaster(b *testing.B) {
	const url = "http://10.42.0.1/?order=0b6f3c1e-8d2a-4c59-9a41-7e5d2f0c9b13"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := QRRasterCommand(url, QRModuleDots(Paper80mm), Paper80mm.Dots(), QRLevelM); err != nil {
			b.Fatal(err)
		}
	}
}
