package plotting

import "testing"

func TestLivePictureOutsideNotebook(t *testing.T) {
	l := NewLivePicture("samples")
	if l.Picture() != nil {
		t.Fatal("a new live picture has a picture")
	}
	pic, err := ImageGridFlat(make([]float32, 2*4*4), 2, 4, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Update(pic, "iteration 1"); err != nil {
		t.Fatal(err)
	}
	if l.Picture() != pic {
		t.Error("Picture() is not the last update")
	}
}
