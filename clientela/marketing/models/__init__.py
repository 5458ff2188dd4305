"""Marketing: segments, e-mail templates, campaigns and their sending and tracking, follow-up
sequences, loyalty. One module per part; they are all imported here for Django."""
