// yaml-oracle: the reference for src/yaml's differential tests. It runs the real
// sigs.k8s.io/yaml YAMLToJSON (gopkg.in/yaml.v2 underneath), which is what kubectl uses.
//
// Input on stdin, one of two framings:
//   - default: chunks separated by NUL bytes (so a chunk cannot itself hold a NUL);
//   - with -framed: each chunk is "<byte length>\n<bytes>", so chunks may hold any byte.
//
// Output: one JSON line per chunk, {"ok": <the JSON YAMLToJSON gives>} or {"error": "<its error text>"}.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"sigs.k8s.io/yaml"
)

func main() {
	framed := flag.Bool("framed", false, "chunks are length-prefixed instead of NUL-separated")
	flag.Parse()
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	var chunks [][]byte
	if *framed {
		for len(data) > 0 {
			nl := bytes.IndexByte(data, '\n')
			if nl < 0 {
				fmt.Fprintln(os.Stderr, "framed input: missing length line")
				os.Exit(2)
			}
			n, err := strconv.Atoi(string(data[:nl]))
			if err != nil || n < 0 || nl+1+n > len(data) {
				fmt.Fprintln(os.Stderr, "framed input: bad length")
				os.Exit(2)
			}
			chunks = append(chunks, data[nl+1:nl+1+n])
			data = data[nl+1+n:]
		}
	} else {
		chunks = bytes.Split(data, []byte{0})
	}
	for _, chunk := range chunks {
		j, err := convert(chunk)
		if err != nil {
			b, _ := json.Marshal(map[string]string{"error": err.Error()})
			fmt.Fprintln(out, string(b))
			continue
		}
		fmt.Fprintf(out, "{\"ok\":%s}\n", j)
	}
}

// convert turns a Go panic (go-yaml has a few) into an error line instead of ending the run.
func convert(chunk []byte) (j []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return yaml.YAMLToJSON(chunk)
}
