// Package plotting draws dl4go's charts (go-echarts v2), pictures and sounds so
// that they display in a GoNB notebook cell and survive export to a
// self-contained offline HTML page.
package plotting

import _ "github.com/go-echarts/go-echarts/v2/charts"
