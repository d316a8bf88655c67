data:
	python3 Scripts/embed-data.py

.PHONY: data
