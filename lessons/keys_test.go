package lessons_test

import (
	"github.com/dl4go/dl4go/lessons"
	"github.com/dl4go/dl4go/lessons/a3c"
	"github.com/dl4go/dl4go/lessons/alphago"
	"github.com/dl4go/dl4go/lessons/architectures"
	"github.com/dl4go/dl4go/lessons/audio"
	"github.com/dl4go/dl4go/lessons/bert"
	"github.com/dl4go/dl4go/lessons/cgan"
	"github.com/dl4go/dl4go/lessons/ctc"
	"github.com/dl4go/dl4go/lessons/dcgan"
	"github.com/dl4go/dl4go/lessons/detection"
	"github.com/dl4go/dl4go/lessons/docker"
	"github.com/dl4go/dl4go/lessons/efficiency"
	"github.com/dl4go/dl4go/lessons/example"
	"github.com/dl4go/dl4go/lessons/fcos"
	"github.com/dl4go/dl4go/lessons/gcn"
	"github.com/dl4go/dl4go/lessons/gpt"
	"github.com/dl4go/dl4go/lessons/maml"
	"github.com/dl4go/dl4go/lessons/maskrcnn"
	"github.com/dl4go/dl4go/lessons/metric"
	"github.com/dl4go/dl4go/lessons/pix2pix"
	"github.com/dl4go/dl4go/lessons/rl"
	"github.com/dl4go/dl4go/lessons/scaling"
	"github.com/dl4go/dl4go/lessons/transfer"
	"github.com/dl4go/dl4go/lessons/transformer"
	"github.com/dl4go/dl4go/lessons/xai"
)

// entry is what the contract tests need of a lesson package.
type entry struct {
	lesson lessons.Lesson
	quick  lessons.Settings
}

// lessonsByName has every lesson package, by folder name: a new lesson adds itself here
// (TestLessonContract says so when it is missing).
var lessonsByName = map[string]entry{
	"a3c":           {a3c.Lesson, a3c.Quick()},
	"alphago":       {alphago.Lesson, alphago.Quick()},
	"architectures": {architectures.Lesson, architectures.Quick()},
	"audio":         {audio.Lesson, audio.Quick()},
	"bert":          {bert.Lesson, bert.Quick()},
	"cgan":          {cgan.Lesson, cgan.Quick()},
	"ctc":           {ctc.Lesson, ctc.Quick()},
	"dcgan":         {dcgan.Lesson, dcgan.Quick()},
	"detection":     {detection.Lesson, detection.Quick()},
	"docker":        {docker.Lesson, docker.Quick()},
	"efficiency":    {efficiency.Lesson, efficiency.Quick()},
	"example":       {example.Lesson, example.Quick()},
	"fcos":          {fcos.Lesson, fcos.Quick()},
	"gcn":           {gcn.Lesson, gcn.Quick()},
	"gpt":           {gpt.Lesson, gpt.Quick()},
	"maml":          {maml.Lesson, maml.Quick()},
	"maskrcnn":      {maskrcnn.Lesson, maskrcnn.Quick()},
	"metric":        {metric.Lesson, metric.Quick()},
	"pix2pix":       {pix2pix.Lesson, pix2pix.Quick()},
	"rl":            {rl.Lesson, rl.Quick()},
	"scaling":       {scaling.Lesson, scaling.Quick()},
	"transfer":      {transfer.Lesson, transfer.Quick()},
	"transformer":   {transformer.Lesson, transformer.Quick()},
	"xai":           {xai.Lesson, xai.Quick()},
}
