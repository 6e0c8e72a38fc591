package testutil

import (
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// FormValues returns what a browser would submit, untouched, for the form
// with id formID in page: text, hidden and password inputs with their
// values, ticked checkboxes, and each select's selected option (none when
// that option is disabled; the first enabled one when none is selected).
// Buttons are left out: add the one "pressed". Fields that name the form
// with form="..." from outside it are included too.
func FormValues(page, formID string) (url.Values, error) {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return nil, err
	}
	attr := func(n *html.Node, key string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val, true
			}
		}
		return "", false
	}
	out := url.Values{}
	found := false
	var walk func(n *html.Node, inForm bool)
	walk = func(n *html.Node, inForm bool) {
		if n.Type == html.ElementNode {
			if id, _ := attr(n, "id"); n.Data == "form" && id == formID {
				found, inForm = true, true
			}
			owner, hasOwner := attr(n, "form")
			mine := (inForm && !hasOwner) || owner == formID
			name, named := attr(n, "name")
			_, disabled := attr(n, "disabled")
			if mine && named && !disabled {
				switch n.Data {
				case "input":
					typ, _ := attr(n, "type")
					val, _ := attr(n, "value")
					switch strings.ToLower(typ) {
					case "checkbox", "radio":
						if _, on := attr(n, "checked"); on {
							if val == "" {
								val = "on"
							}
							out.Add(name, val)
						}
					case "submit", "button", "image", "reset", "file":
					default:
						out.Add(name, strings.NewReplacer("\r", "", "\n", "").Replace(val))
					}
				case "textarea":
					if n.FirstChild != nil {
						out.Add(name, n.FirstChild.Data)
					} else {
						out.Add(name, "")
					}
				case "select":
					var first, chosen *html.Node
					chosenSet := false
					for o := n.FirstChild; o != nil; o = o.NextSibling {
						if o.Type != html.ElementNode || o.Data != "option" {
							continue
						}
						_, od := attr(o, "disabled")
						if _, sel := attr(o, "selected"); sel && !chosenSet {
							chosen, chosenSet = o, true
							if od {
								chosen = nil
							}
						}
						if first == nil && !od {
							first = o
						}
					}
					if !chosenSet {
						chosen = first
					}
					if chosen != nil {
						v, ok := attr(chosen, "value")
						if !ok && chosen.FirstChild != nil {
							v = chosen.FirstChild.Data
						}
						out.Add(name, v)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inForm)
		}
	}
	walk(doc, false)
	if !found {
		return nil, fmt.Errorf("no form with id %q in the page", formID)
	}
	return out, nil
}
