package imaging

import (
	"encoding/binary"
	"errors"
	"image"
)

// A DC-only JPEG decoder. The DC coefficient of each 8×8 block is the
// block's mean, so the DC coefficients alone are the picture at 1/8 scale —
// what libjpeg's 1/8 DCT scaling (PIL's draft mode) computes. All the time
// goes into the entropy-coded data, which must still be read through to
// find each block's DC code; this reader only skips the AC coefficients,
// several codes per table look-up, instead of decoding them, which makes it
// faster than libjpeg's general decoder.
//
// It reads what cameras write: baseline (or extended) sequential Huffman
// JPEGs with 8-bit samples, greyscale or three components, in one scan,
// with or without restart markers. For anything else it returns
// ErrDCUnsupported and the caller uses a general decoder.

var ErrDCUnsupported = errors.New("not a JPEG the DC-only decoder reads")

const lookBits = 13 // bits a table look-up sees (8192 entries: measured best)

// huffTable is one Huffman table, with look-up tables for codes of up to
// lookBits bits and canonical-code limits for the longer ones.
type huffTable struct {
	// look: code length<<8 | symbol, 0 when the code is longer than lookBits.
	look    [1 << lookBits]uint16
	maxcode [18]int32 // largest code of each length, -1 for none
	valptr  [17]int32 // index in vals of the first code of each length
	mincode [17]int32
	vals    []byte
	// skip (AC tables): what to skip for the next codes. See skipEntry.
	skip *[1 << lookBits]uint32
}

// A skip entry packs, for the lookBits bits ahead:
//
//	bits 0-4   bits taken by the first code and its value (0: no code fits)
//	bits 5-9   coefficient positions the first code advances (run+1, 16 for ZRL)
//	bit  10    the first code is end-of-block
//	bits 11-15 bits taken by all codes (and values) that fit in the window
//	bits 16-23 positions they advance, up to an end-of-block among them
//	bit  24    they end with end-of-block
func skipEntry(sb, sa, se, mb, ma, me uint32) uint32 {
	return sb | sa<<5 | se<<10 | mb<<11 | ma<<16 | me<<24
}

func buildHuff(counts []byte, vals []byte, ac bool) (*huffTable, error) {
	// 8-bit samples have DC sizes up to 11 and AC sizes up to 10; the bit
	// reader counts on that (a skip step takes at most 13+10 bits).
	for _, v := range vals {
		if (!ac && v > 11) || (ac && v&15 > 10) {
			return nil, errors.New("bad Huffman table: value out of range")
		}
	}
	h := &huffTable{vals: vals}
	code, k := int32(0), int32(0)
	for l := 1; l <= 16; l++ {
		n := int32(counts[l-1])
		h.valptr[l] = k
		h.mincode[l] = code
		if n == 0 {
			h.maxcode[l] = -1
		} else {
			h.maxcode[l] = code + n - 1
		}
		for i := int32(0); i < n; i++ {
			// An over-subscribed table (more codes than the length allows)
			// or one with fewer values than codes is damage, not a table.
			if code >= 1<<l || int(k) >= len(vals) {
				return nil, errors.New("bad Huffman table")
			}
			if l <= lookBits {
				shift := lookBits - l
				first := int(code) << shift
				for j := 0; j < 1<<shift; j++ {
					h.look[first+j] = uint16(l)<<8 | uint16(vals[k])
				}
			}
			code++
			k++
		}
		if code > 1<<l {
			return nil, errors.New("bad Huffman table")
		}
		code <<= 1
	}
	h.maxcode[17] = 0x7fffffff
	if ac {
		h.skip = new([1 << lookBits]uint32)
		for i := range h.skip {
			var sb, sa, se, mb, ma, me uint32
			pos := 0
			for n := 0; ; n++ {
				if pos >= lookBits {
					break
				}
				e := h.look[(i<<pos)&(1<<lookBits-1)]
				l := int(e >> 8)
				if l == 0 || pos+l > lookBits {
					break
				}
				sym := byte(e)
				size, adv, eob := int(sym&15), uint32(sym>>4)+1, uint32(0)
				if sym == 0 {
					adv, eob = 0, 1
				}
				if n == 0 {
					sb, sa, se = uint32(l+size), adv, eob
					mb, ma, me = sb, sa, se
				} else {
					if pos+l+size > lookBits {
						break
					}
					mb, ma, me = uint32(pos+l+size), ma+adv, eob
				}
				pos += l + size
				if eob == 1 {
					break
				}
			}
			h.skip[i] = skipEntry(sb, sa, se, mb, ma, me)
		}
	}
	return h, nil
}

type dcComponent struct {
	id, h, v, tq int
	td, ta       int // Huffman tables for the scan
	plane        []byte
	stride       int // blocks per row in plane
	rows         int
	pred         int32
}

// DCDecode decodes the JPEG in data at 1/8 scale: every block's mean, as
// *image.YCbCr or *image.Gray. data is changed (its entropy-coded bytes are
// unstuffed in place); with 256 bytes of spare capacity it is not copied.
func DCDecode(data []byte) (image.Image, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil, errors.New("not a JPEG")
	}
	var (
		qt       [4]int32 // DC quantisers
		qtSet    [4]bool
		dcTab    [4]*huffTable
		acTab    [4]*huffTable
		comps    []dcComponent
		w, h     int
		restart  int
		sawFrame bool
		adobeRGB bool
	)
	pos := 2
	for {
		for pos < len(data) && data[pos] == 0xFF && pos+1 < len(data) && data[pos+1] == 0xFF {
			pos++ // fill bytes
		}
		if pos+4 > len(data) || data[pos] != 0xFF {
			return nil, errors.New("JPEG: bad marker")
		}
		m := data[pos+1]
		if m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7) {
			pos += 2
			continue
		}
		if m == 0xD9 {
			return nil, errors.New("JPEG: no image data")
		}
		n := int(binary.BigEndian.Uint16(data[pos+2:]))
		if n < 2 || pos+2+n > len(data) {
			return nil, errors.New("JPEG: truncated marker segment")
		}
		seg := data[pos+4 : pos+2+n]
		pos += 2 + n
		switch {
		case m == 0xDB: // quantisation tables
			for len(seg) > 0 {
				pq, tq := seg[0]>>4, int(seg[0]&3)
				size := 65
				if pq == 1 {
					size = 129
				}
				if len(seg) < size {
					return nil, errors.New("JPEG: short DQT")
				}
				if pq == 1 {
					qt[tq] = int32(binary.BigEndian.Uint16(seg[1:]))
				} else {
					qt[tq] = int32(seg[1])
				}
				qtSet[tq] = true
				seg = seg[size:]
			}
		case m == 0xC4: // Huffman tables
			for len(seg) > 0 {
				if len(seg) < 17 {
					return nil, errors.New("JPEG: short DHT")
				}
				tc, th := seg[0]>>4, int(seg[0]&3)
				total := 0
				for _, c := range seg[1:17] {
					total += int(c)
				}
				if total > 256 || len(seg) < 17+total || tc > 1 {
					return nil, errors.New("JPEG: bad DHT")
				}
				t, err := buildHuff(seg[1:17], seg[17:17+total], tc == 1)
				if err != nil {
					return nil, err
				}
				if tc == 0 {
					dcTab[th] = t
				} else {
					acTab[th] = t
				}
				seg = seg[17+total:]
			}
		case m == 0xEE && len(seg) >= 12 && string(seg[:5]) == "Adobe":
			adobeRGB = seg[11] == 0 // transform 0: the components are R, G, B
		case m == 0xDD:
			if len(seg) < 2 {
				return nil, errors.New("JPEG: short DRI")
			}
			restart = int(binary.BigEndian.Uint16(seg))
		case m == 0xC0 || m == 0xC1:
			if sawFrame || len(seg) < 6 || seg[0] != 8 {
				return nil, ErrDCUnsupported
			}
			sawFrame = true
			h, w = int(binary.BigEndian.Uint16(seg[1:])), int(binary.BigEndian.Uint16(seg[3:]))
			nc := int(seg[5])
			if w == 0 || h == 0 || (nc != 1 && nc != 3) || len(seg) < 6+3*nc {
				return nil, ErrDCUnsupported
			}
			for i := 0; i < nc; i++ {
				c := seg[6+3*i:]
				comp := dcComponent{id: int(c[0]), h: int(c[1] >> 4), v: int(c[1] & 15), tq: int(c[2] & 3)}
				if comp.h < 1 || comp.h > 4 || comp.v < 1 || comp.v > 4 {
					return nil, errors.New("JPEG: bad sampling factors")
				}
				comps = append(comps, comp)
			}
		case m >= 0xC2 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC:
			return nil, ErrDCUnsupported // progressive, lossless, arithmetic
		case m == 0xDA:
			if !sawFrame || len(seg) < 1 || int(seg[0]) != len(comps) || len(seg) < 1+2*len(comps)+3 {
				return nil, ErrDCUnsupported // not one scan of every component
			}
			for i := range comps {
				cs, t := int(seg[1+2*i]), seg[2+2*i]
				if cs != comps[i].id {
					return nil, ErrDCUnsupported
				}
				comps[i].td, comps[i].ta = int(t>>4)&3, int(t&15)&3
			}
			ss := seg[1+2*len(comps):]
			if ss[0] != 0 || ss[1] != 63 || ss[2] != 0 {
				return nil, ErrDCUnsupported
			}
			if len(comps) == 3 && (adobeRGB || comps[0].id == 'R' && comps[1].id == 'G' && comps[2].id == 'B') {
				return nil, ErrDCUnsupported // RGB, not YCbCr
			}
			for i := range comps {
				c := &comps[i]
				if !qtSet[c.tq] || dcTab[c.td] == nil || acTab[c.ta] == nil {
					return nil, errors.New("JPEG: scan uses an undefined table")
				}
			}
			return dcScan(data[pos:], comps, w, h, restart, qt, dcTab, acTab)
		}
	}
}

// unstuff removes the 0x00 after every 0xFF of the entropy-coded data at
// the start of d, in place, and returns its length and where each restart
// interval starts in it.
func unstuff(d []byte) (n int, restarts []int) {
	r := 0
	for r < len(d) {
		i := r
		for i < len(d) && d[i] != 0xFF {
			i++
		}
		copy(d[n:], d[r:i])
		n += i - r
		r = i
		if r+1 >= len(d) {
			return n, restarts
		}
		switch next := d[r+1]; {
		case next == 0x00:
			d[n] = 0xFF
			n++
			r += 2
		case next == 0xFF:
			r++ // fill byte
		case next >= 0xD0 && next <= 0xD7:
			restarts = append(restarts, n)
			r += 2
		default:
			return n, restarts // the marker after the scan
		}
	}
	return n, restarts
}

func dcScan(d []byte, comps []dcComponent, w, h, restart int, qt [4]int32, dcTab, acTab [4]*huffTable) (image.Image, error) {
	var ratio image.YCbCrSubsampleRatio
	if len(comps) == 3 {
		var ok bool
		if ratio, ok = subsampleRatio(comps); !ok {
			return nil, ErrDCUnsupported
		}
	}
	n, restarts := unstuff(d)
	// The bit reader loads 8 bytes at a time, and a block is checked for
	// running past the end only when it is done: zeros after the end cover
	// the longest block (64 codes of at most 26 bits) and one load more.
	const pad = 256
	var buf []byte
	if cap(d) >= n+pad {
		buf = d[:n+pad]
		clear(buf[n:])
	} else {
		buf = make([]byte, n+pad)
		copy(buf, d[:n])
	}
	limit := uint(n) * 8

	hmax, vmax := 1, 1
	for _, c := range comps {
		hmax, vmax = max(hmax, c.h), max(vmax, c.v)
	}
	var mcux, mcuy int
	if len(comps) == 1 {
		// One component is not interleaved: one block per MCU.
		comps[0].h, comps[0].v = 1, 1
		mcux, mcuy = (w+7)/8, (h+7)/8
	} else {
		mcux, mcuy = (w+8*hmax-1)/(8*hmax), (h+8*vmax-1)/(8*vmax)
	}
	for i := range comps {
		c := &comps[i]
		c.stride, c.rows = mcux*c.h, mcuy*c.v
		c.plane = make([]byte, c.stride*c.rows)
	}
	total := mcux * mcuy
	if restart == 0 {
		restart = total
	}

	// The bit reader: bb holds nb bits, the next one at the top; p is the
	// next byte to load. A refill tops bb up to at least 56 bits without a
	// branch (bits it loads again are the same bits); each skip step takes
	// at most 23 bits, so one refill serves two steps.
	var bb uint64
	var nb uint
	p := 0
	mcu, next := 0, 0
	for my := 0; my < mcuy; my++ {
		for mx := 0; mx < mcux; mx++ {
			if mcu > 0 && mcu%restart == 0 {
				// A restart: byte-aligned, DC predictions reset.
				if next >= len(restarts) || restarts[next]*8 < p*8-int(nb) {
					return nil, errors.New("JPEG: restart marker missing")
				}
				p, bb, nb = restarts[next], 0, 0
				next++
				for i := range comps {
					comps[i].pred = 0
				}
			}
			mcu++
			for ci := range comps {
				c := &comps[ci]
				dt, skip := &dcTab[c.td].look, acTab[c.ta].skip
				at := acTab[c.ta]
				q := qt[c.tq]
				for by := 0; by < c.v; by++ {
					row := (my*c.v+by)*c.stride + mx*c.h
					for bx := 0; bx < c.h; bx++ {
						// DC: its size category, then that many bits.
						bb |= binary.BigEndian.Uint64(buf[p:]) >> nb
						p += int(63-nb) >> 3
						nb |= 56
						e := dt[bb>>(64-lookBits)]
						var l, s uint
						if e != 0 {
							l, s = uint(e>>8), uint(e&0xFF)
						} else {
							var sym byte
							var ok bool
							l, sym, ok = slowDecode(dcTab[c.td], bb)
							if !ok {
								return nil, errors.New("JPEG: bad Huffman code")
							}
							s = uint(sym)
						}
						if s > 11 {
							return nil, errors.New("JPEG: bad DC size")
						}
						bb <<= l
						if s > 0 {
							v := int32(bb >> (64 - s))
							if v < 1<<(s-1) {
								v -= 1<<s - 1
							}
							c.pred += v
							bb <<= s
						}
						nb -= l + s
						// AC: skipped, two steps a refill.
						k := uint32(1)
					ac:
						for k < 64 {
							bb |= binary.BigEndian.Uint64(buf[p:]) >> nb
							p += int(63-nb) >> 3
							nb |= 56
							for range 2 {
								se := skip[bb>>(64-lookBits)]
								if ma := se >> 16 & 255; se>>11&31 != 0 && k+ma < 64 {
									n := uint(se >> 11 & 31)
									bb <<= n
									nb -= n
									if se>>24&1 != 0 {
										break ac
									}
									k += ma
									continue
								}
								if sb := uint(se & 31); sb != 0 {
									bb <<= sb
									nb -= sb
									if se>>10&1 != 0 {
										break ac
									}
									k += se >> 5 & 31
								} else {
									// A code longer than the window: refill
									// first, it may take 26 bits.
									bb |= binary.BigEndian.Uint64(buf[p:]) >> nb
									p += int(63-nb) >> 3
									nb |= 56
									l, sym, ok := slowDecode(at, bb)
									if !ok {
										return nil, errors.New("JPEG: bad Huffman code")
									}
									if sym == 0 {
										bb <<= l
										nb -= l
										break ac
									}
									n := l + uint(sym&15)
									bb <<= n
									nb -= n
									k += uint32(sym>>4) + 1
								}
								if k >= 64 {
									break
								}
							}
						}
						if k > 64 {
							return nil, errors.New("JPEG: corrupt block")
						}
						if p*8-int(nb) > int(limit) {
							return nil, errors.New("JPEG: image data ends early")
						}
						v := (c.pred*q+4)>>3 + 128
						c.plane[row+bx] = uint8(min(max(v, 0), 255))
					}
				}
			}
		}
	}
	ow, oh := (w+7)/8, (h+7)/8
	rect := image.Rect(0, 0, ow, oh)
	if len(comps) == 1 {
		return &image.Gray{Pix: comps[0].plane, Stride: comps[0].stride, Rect: rect}, nil
	}
	y, cb, cr := comps[0], comps[1], comps[2]
	return &image.YCbCr{Y: y.plane, Cb: cb.plane, Cr: cr.plane, YStride: y.stride, CStride: cb.stride,
		SubsampleRatio: ratio, Rect: rect}, nil
}

// slowDecode decodes a code longer than lookBits bits from the top of peek.
func slowDecode(t *huffTable, peek uint64) (uint, byte, bool) {
	for l := 1; l <= 16; l++ {
		code := int32(peek >> (64 - l))
		if t.maxcode[l] >= 0 && code <= t.maxcode[l] && code >= t.mincode[l] {
			i := t.valptr[l] + code - t.mincode[l]
			if int(i) >= len(t.vals) {
				return 0, 0, false
			}
			return uint(l), t.vals[i], true
		}
	}
	return 0, 0, false
}

// subsampleRatio is image.YCbCr's name for the components' sampling.
func subsampleRatio(comps []dcComponent) (image.YCbCrSubsampleRatio, bool) {
	y, cb, cr := comps[0], comps[1], comps[2]
	if cb.h != cr.h || cb.v != cr.v || y.h%cb.h != 0 || y.v%cb.v != 0 || y.h < cb.h || y.v < cb.v {
		return 0, false
	}
	switch [2]int{y.h / cb.h, y.v / cb.v} {
	case [2]int{1, 1}:
		return image.YCbCrSubsampleRatio444, true
	case [2]int{2, 1}:
		return image.YCbCrSubsampleRatio422, true
	case [2]int{2, 2}:
		return image.YCbCrSubsampleRatio420, true
	case [2]int{1, 2}:
		return image.YCbCrSubsampleRatio440, true
	case [2]int{4, 1}:
		return image.YCbCrSubsampleRatio411, true
	case [2]int{4, 2}:
		return image.YCbCrSubsampleRatio410, true
	}
	return 0, false
}
