package escpos

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"

	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/inconsolata"
	"golang.org/x/image/math/fixed"
)

// Paper geometry of the preview image, in dots.
const (
	lineSpacing = 6  // font A is 24 dots high on a 30-dot line pitch
	cutMargin   = 12 // white paper either side of the cut mark
)

var (
	white = color.Gray{Y: 0xFF}
	black = color.Gray{Y: 0x00}
)

// Image renders the job as a 1-bit picture of the paper: as wide as the
// paper in dots and as long as the job. Text is drawn with a bitmap font in
// font A's 12×24 cell, magnified as the printer would; images and QR codes
// are drawn dot for dot; a cut is a dashed line.
func (p *Preview) Image() *image.Paletted {
	width := p.paper.Dots()
	img := image.NewPaletted(image.Rect(0, 0, width, max(1, p.height())), color.Palette{white, black})
	y := 0
	for _, it := range p.items {
		switch it.kind {
		case itemLine:
			h := lineHeight(it.cells)
			x := offset(it.align, width, lineWidth(it.cells))
			for _, c := range it.cells {
				drawGlyph(img, c, x, y+h-fontHeight*c.h)
				x += fontWidth * c.w
			}
			y += h + lineSpacing
		case itemImage:
			x := offset(it.align, width, it.img.Width)
			for iy := range it.img.Height {
				for ix := range it.img.Width {
					if it.img.Black(ix, iy) {
						img.SetColorIndex(x+ix, y+iy, 1)
					}
				}
			}
			y += it.img.Height
		case itemCut:
			y += it.dots + cutMargin
			for x := 0; x < width; x += 8 {
				for dx := range 4 {
					img.SetColorIndex(x+dx, y, 1)
				}
			}
			y += 1 + cutMargin
		}
	}
	return img
}

// PNG writes Image as a PNG file.
func (p *Preview) PNG(w io.Writer) error {
	if err := png.Encode(w, p.Image()); err != nil {
		return fmt.Errorf("escpos: preview png: %w", err)
	}
	return nil
}

func (p *Preview) height() int {
	y := 0
	for _, it := range p.items {
		switch it.kind {
		case itemLine:
			y += lineHeight(it.cells) + lineSpacing
		case itemImage:
			y += it.img.Height
		case itemCut:
			y += it.dots + 2*cutMargin + 1
		}
	}
	return y
}

func lineHeight(cells []cell) int {
	h := 1
	for _, c := range cells {
		h = max(h, c.h)
	}
	return fontHeight * h
}

func lineWidth(cells []cell) int {
	w := 0
	for _, c := range cells {
		w += fontWidth * c.w
	}
	return w
}

func offset(a Alignment, paper, width int) int {
	switch a {
	case AlignCenter:
		return max(0, paper-width) / 2
	case AlignRight:
		return max(0, paper-width)
	}
	return 0
}

// drawGlyph draws c's character with its top-left corner at x, y, stretching
// the font's glyph box over the printer's character cell.
func drawGlyph(img *image.Paletted, c cell, x, y int) {
	face := inconsolata.Regular8x16
	if c.bold {
		face = inconsolata.Bold8x16
	}
	glyphW, glyphH := face.Width, face.Ascent+face.Descent
	cellW, cellH := fontWidth*c.w, fontHeight*c.h
	_, mask, mp, _, _ := face.Glyph(fixed.P(0, face.Ascent), c.r)
	if mask == nil {
		mask, mp = replacementGlyph(face)
	}
	for dy := range cellH {
		for dx := range cellW {
			sx, sy := dx*glyphW/cellW, dy*glyphH/cellH
			if _, _, _, a := mask.At(mp.X+sx, mp.Y+sy).RGBA(); a >= 0x8000 {
				img.SetColorIndex(x+dx, y+dy, 1)
			}
		}
	}
}

func replacementGlyph(face *basicfont.Face) (image.Image, image.Point) {
	_, mask, mp, _, _ := face.Glyph(fixed.P(0, face.Ascent), '?')
	return mask, mp
}
