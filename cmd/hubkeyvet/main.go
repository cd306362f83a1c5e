package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/hubkey/hubkey/hubkeyvet"
)

func main() { singlechecker.Main(hubkeyvet.Analyzer) }
